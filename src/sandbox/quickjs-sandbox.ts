import { readdir, readFile, stat } from 'node:fs/promises'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { projectRoot } from '../project-root.ts'
import type { JsonValue } from '../domain/json.ts'
import { encodeValue } from './host-calls.ts'
import { SandboxThread, starvedAfter, type JobFunction, type JobOutcome } from './sandbox-thread.ts'
import { defaultSpinMs } from './worker-protocol.ts'
import { ThreadPool } from './thread-pool.ts'
import {
  defaultLimits,
  type BlockRun,
  type Sandbox,
  type SandboxError,
  type SandboxLimits,
  type SandboxResult,
} from './sandbox.ts'

export interface QuickJsSandboxOptions {
  /** How many worker threads run blocks at once (each an isolate of its own). Default 2. */
  poolSize?: number
  /** Defaults for every run; a run's own `limits` override them. */
  limits?: Partial<SandboxLimits>
  /** Hard cap of each worker's WebAssembly memory, in 64 KiB pages. Default 1024 (64 MiB). */
  memoryPages?: number
  /** The worker's entry module; by default the current bundle, else the TypeScript source. */
  workerEntry?: URL
  /** How long a worker waits awake for its next job, in ms (0: never); default `defaultSpinMs`. */
  spinMs?: number
}

// From the project's folder, so that the server's own bundle (build/server/) finds them too.
const sandboxFolder = pathToFileURL(path.join(projectRoot, 'src', 'sandbox', '/'))
const workerSource = new URL('sandbox-worker.ts', sandboxFolder)
const workerBundle = pathToFileURL(path.join(projectRoot, 'build', 'sandbox-worker', 'sandbox-worker.js'))

async function modifiedAt(url: URL): Promise<number> {
  try {
    return (await stat(url)).mtimeMs
  } catch {
    return Number.NaN
  }
}

/**
 * The worker's entry: the plain-JavaScript bundle `npm run build:sandbox` made (`npm start`
 * runs it), when it is newer than every file it was built from; else the TypeScript source.
 * A bundled worker starts faster and spares its isolate the type stripper (~8 MiB each).
 */
async function workerEntry(): Promise<URL> {
  const built = await modifiedAt(workerBundle)
  if (Number.isNaN(built)) {
    return workerSource
  }
  const sources = [pathToFileURL(path.join(projectRoot, 'package-lock.json'))]
  for (const name of await readdir(sandboxFolder)) {
    sources.push(new URL(name, sandboxFolder))
  }
  const times = await Promise.all(sources.map(modifiedAt))
  return times.every((time) => !(time > built)) ? workerBundle : workerSource
}

async function compileQuickJs(): Promise<WebAssembly.Module> {
  const url = import.meta.resolve('@jitl/quickjs-wasmfile-release-sync/wasm')
  return WebAssembly.compile(await readFile(new URL(url)))
}

const identifier = /^[A-Za-z_$][\w$]*$/

function checkName(name: string, what: string): void {
  if (!identifier.test(name)) {
    throw new TypeError(`sandbox: invalid ${what} name '${name}'`)
  }
}

function resolveLimits(base: SandboxLimits, override: Partial<SandboxLimits> | undefined): SandboxLimits {
  return override === undefined ? base : { ...base, ...override }
}

/** A run's host functions in stub order; names end up as JS identifiers, anything else is a bug. */
function hostFunctions(request: BlockRun): JobFunction[] {
  const functions: JobFunction[] = []
  for (const fns of [request.functions, request.asyncFunctions]) {
    for (const [path, fn] of Object.entries(fns ?? {})) {
      path.split('.').forEach((part) => checkName(part, 'function path'))
      functions.push({ path, fn })
    }
  }
  return functions
}

/** A function's known answers as the guest's stub reads them: encoded as a host call's reply. */
function knownAnswers(answers: Record<string, JsonValue | undefined> | undefined): Record<string, string> | null {
  if (answers === undefined) {
    return null
  }
  const encoded: Record<string, string> = {}
  for (const [args, value] of Object.entries(answers)) {
    encoded[args] = encodeValue(value)
  }
  return encoded
}

/** How a job that got no reply ended, as the guest's result. */
function lostJob(block: string, outcome: Exclude<JobOutcome, { type: 'reply' }>, wallMs: number): SandboxError {
  if (outcome.type === 'timeout' && outcome.starved) {
    // Going on, yet short of its CPU time (which the worker enforces): the machine was too busy.
    return {
      kind: 'timeout',
      message: `not finished after ${wallMs * starvedAfter} ms of wall-clock time: the server was too busy to run it`,
      block,
      hostBound: true,
    }
  }
  if (outcome.type === 'timeout') {
    // Mostly waiting on the main thread (a slow database or platform): the server's fault.
    const hostBound = outcome.hostMs * 2 >= wallMs
    return {
      kind: 'timeout',
      message: `exceeded ${wallMs} ms of wall-clock time${hostBound ? `, ${Math.round(outcome.hostMs)} ms of it in platform and database calls` : ''}`,
      block,
      ...(hostBound ? { hostBound } : {}),
    }
  }
  const code: unknown = Reflect.get(outcome.error, 'code')
  if (code === 'ERR_WORKER_OUT_OF_MEMORY') {
    return { kind: 'memory', message: 'out of memory', block }
  }
  return { kind: 'runtime', message: `the sandbox stopped: ${outcome.error.message}`, block }
}

/**
 * The policy sandbox (DESIGN §4): QuickJS in WebAssembly, in a small pool of worker threads, so
 * the main thread never runs policy code. Each worker keeps a pooled, hardened context and the
 * blocks it compiled; CPU, memory, stack and host-call limits are enforced inside it, and the
 * wall-clock limit from here: a run past it is reported as `timeout` and its worker terminated
 * and replaced. Host functions run on the main thread. Nothing a guest does rejects `run`; it
 * rejects only when the host itself fails (closed sandbox, a worker that cannot start, invalid
 * names).
 */
export async function createQuickJsSandbox(options: QuickJsSandboxOptions = {}): Promise<Sandbox> {
  const [wasmModule, entry] = await Promise.all([compileQuickJs(), options.workerEntry ?? workerEntry()])
  const memoryPages = options.memoryPages ?? 1024
  const spinMs = options.spinMs ?? defaultSpinMs
  const limits = resolveLimits(defaultLimits, options.limits)
  const pool = new ThreadPool(
    Math.max(1, options.poolSize ?? 2),
    () => new SandboxThread({ entry, wasmModule, memoryPages, spinMs }),
  )

  /** The last background run, settled: the next one starts after it (`BlockRun.background`). */
  let backgroundTurn: Promise<unknown> = Promise.resolve()
  /** The thread running a background run now, if any. */
  let backgroundThread: SandboxThread | null = null

  function run(request: BlockRun): Promise<SandboxResult> {
    if (!request.background) {
      return runNow(request)
    }
    const result = backgroundTurn.then(() => runNow(request))
    backgroundTurn = result.catch(() => undefined)
    // The caller's other work is done (it waits for this one's turn): the run before it is
    // waited for awake, as a lone run is, rather than by going to sleep and being woken.
    backgroundThread?.waitAwake()
    return result
  }

  async function runNow(request: BlockRun): Promise<SandboxResult> {
    const functions = hostFunctions(request)
    const globals = request.globals ?? {}
    Object.keys(globals).forEach((name) => checkName(name, 'global'))
    const paths = functions.map(({ path }) => path.split('.'))
    const names = [...new Set([...Object.keys(globals), ...paths.map((parts) => parts[0] ?? '')])].sort()
    const runLimits = resolveLimits(limits, request.limits)
    const outcome = await pool.use((thread) => {
      if (request.background) {
        backgroundThread = thread
      }
      return thread.submit(
        {
          type: 'run',
          block: request.block,
          code: request.code,
          names: JSON.stringify(names),
          data: JSON.stringify(globals),
          paths: JSON.stringify(paths),
          answers: JSON.stringify(functions.map(({ path }) => knownAnswers(request.answers?.[path]))),
          now: Number(request.now ?? Date.now()),
          seed: Number(request.randomSeed ?? 0) | 0,
          limits: runLimits,
        },
        functions,
        runLimits.wallMs,
        !request.background,
      )
    })
    if (request.background) {
      backgroundThread = null
    }
    if (outcome.type !== 'reply') {
      return { ok: false, error: lostJob(request.block, outcome, runLimits.wallMs) }
    }
    if (outcome.reply.type !== 'ran') {
      throw new Error('sandbox worker answered a run with a compile result')
    }
    return outcome.reply.result
  }

  async function compile(block: string, code: string): Promise<SandboxError | null> {
    const outcome = await pool.use((thread) =>
      thread.submit({ type: 'compile', block, code, limits }, [], limits.wallMs),
    )
    if (outcome.type !== 'reply') {
      return lostJob(block, outcome, limits.wallMs)
    }
    if (outcome.reply.type !== 'compiled') {
      throw new Error('sandbox worker answered a compile with a run result')
    }
    return outcome.reply.error
  }

  return { run, compile, close: () => pool.close() }
}
