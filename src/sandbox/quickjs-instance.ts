import variantModule from '@jitl/quickjs-wasmfile-release-asyncify'
import {
  Lifetime,
  newQuickJSAsyncWASMModuleFromVariant,
  newVariant,
  type Intrinsics,
  type QuickJSAsyncContext,
  type QuickJSAsyncRuntime,
  type QuickJSAsyncWASMModule,
  type QuickJSHandle,
} from 'quickjs-emscripten-core'
import type { JsonValue } from '../domain/json.ts'
import { AppError } from '../errors.ts'
import { bridgeName, preludeFilename, preludeSource, runEntry } from './guest-prelude.ts'
import type { BlockRun, HostFunction, SandboxError, SandboxErrorKind, SandboxLimits, SandboxResult } from './sandbox.ts'

/**
 * What policy code gets. Proxy and typed arrays are left out: policies work on small JSON data,
 * and each intrinsic left out makes a fresh context cheaper and the attack surface smaller.
 */
const intrinsics: Intrinsics = {
  BaseObjects: true,
  Date: true,
  Eval: true,
  StringNormalize: true,
  RegExp: true,
  JSON: true,
  MapSet: true,
  Promise: true,
}

// The package's types describe its CommonJS build (the variant under `default`); Node loads its
// ESM build, whose default export is the variant itself.
const baseVariant = 'default' in variantModule ? variantModule.default : variantModule

/** Past this, a run's WebAssembly memory is given back by replacing the instance. */
const recycleAboveBytes = 40 * 1024 * 1024

type RuntimePointer = Parameters<QuickJSAsyncContext['getMemory']>[0]
type ContextMemory = ReturnType<QuickJSAsyncContext['getMemory']>
type ValuePointer = Parameters<ContextMemory['heapValueHandle']>[0]
type RunJobs = (rt: number, maxJobs: number, lastContext: number) => unknown

interface Cwrap {
  cwrap(name: string, returns: 'number', args: string[], options: { async: true }): RunJobs
}

function hasCwrap(value: unknown): value is Cwrap {
  return typeof value === 'object' && value !== null && typeof Reflect.get(value, 'cwrap') === 'function'
}

function isPointer(value: unknown): value is RuntimePointer & ValuePointer {
  return typeof value === 'number' && value > 0
}

/**
 * The library's `executePendingJobs` calls the job loop as a plain synchronous export, so a
 * host function awaited inside a promise job (anything after the block's first `await`) would
 * unwind a stack nobody rewinds. Wrapping the same export with `{ async: true }` makes
 * emscripten return a promise when the loop suspends. Both handles are private in the library's
 * types, hence the checked `Reflect.get`s.
 */
function jobRunner(
  module: QuickJSAsyncWASMModule,
  runtime: QuickJSAsyncRuntime,
): { rt: RuntimePointer; runJobs: RunJobs } {
  const emscripten: unknown = Reflect.get(module, 'module')
  const lifetime: unknown = Reflect.get(runtime, 'rt')
  const rt: unknown = lifetime instanceof Lifetime ? lifetime.value : undefined
  if (!hasCwrap(emscripten) || !isPointer(rt)) {
    throw new Error('unsupported quickjs-emscripten build: no async job loop')
  }
  const runJobs = emscripten.cwrap('QTS_ExecutePendingJob', 'number', ['number', 'number', 'number'], { async: true })
  return { rt, runJobs }
}

export interface InstanceOptions {
  wasmModule: WebAssembly.Module
  memoryPages: number
}

/** The state of one run, shared with the interrupt handler and the host bridge. */
interface RunState {
  block: string
  /** Lines in the body: an error past its end (an unclosed bracket) is shown on the last. */
  lines: number
  paths: string[]
  functions: HostFunction[]
  hostCallsLeft: number
  hostCallLimit: number
  budgetExceeded: boolean
  deadline: number
  cpuMs: number
  interrupted: boolean
  abandoned: boolean
  now: number
  /** mulberry32 state: a tiny, well-mixed PRNG, so a seed replays the same sequence. */
  randomState: number
}

function nextRandom(run: RunState): number {
  run.randomState = (run.randomState + 0x6d2b79f5) | 0
  let t = run.randomState
  t = Math.imul(t ^ (t >>> 15), t | 1)
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

/** Only ever given text that JSON.stringify produced. */
const parseJson: (text: string) => JsonValue = JSON.parse

const identifier = /^[A-Za-z_$][\w$]*$/

function checkName(name: string, what: string): void {
  if (!identifier.test(name)) {
    throw new TypeError(`sandbox: invalid ${what} name '${name}'`)
  }
}

/** Names end up as JS property names; anything else is a bug in the caller. */
export function checkRequest(request: BlockRun): void {
  for (const path of Object.keys(request.functions ?? {})) {
    path.split('.').forEach((part) => checkName(part, 'function path'))
  }
  for (const name of Object.keys(request.globals ?? {})) {
    checkName(name, 'global')
  }
}

/** JSON text as a JS string literal that keeps the wrapper on one line. */
function literal(value: unknown): string {
  return JSON.stringify(JSON.stringify(value)).replaceAll('\u2028', '\\u2028').replaceAll('\u2029', '\\u2029')
}

function lineIn(stack: string, block: string): number | undefined {
  for (const frame of stack.split('\n')) {
    const match = /\(?([^()]*):(\d+):\d+\)?\s*$/.exec(frame.trim())
    if (match?.[1] !== undefined && match[2] !== undefined) {
      const file = match[1].replace(/^at /, '')
      if (file === block) {
        return Number(match[2])
      }
    }
  }
  return undefined
}

interface GuestError {
  name?: string
  message?: string
  stack?: string
  thrown?: string
}

function isGuestError(value: unknown): value is GuestError {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * The one line the block runs in: the prelude's entry called with the run's data and the block
 * as the body of an async function, so the block's own lines keep their numbers.
 */
function wrap(code: string, globals: Record<string, JsonValue>, paths: string[], now: number): string {
  return (
    `${runEntry}(${literal(globals)},` +
    `${JSON.stringify(paths.map((path) => path.split('.')))},` +
    `${now},` +
    `async function(){${code}\n})`
  )
}

/**
 * One WebAssembly instance of QuickJS (its own capped memory) with one runtime reused across
 * runs; every run gets a fresh context, created ahead of time when the instance is idle.
 * Holds at most one evaluation, since asyncify can suspend only one at a time.
 */
export class QuickJsInstance {
  /** False once the instance must not run anything again (aborted, abandoned, bloated). */
  healthy = true
  /** A fresh context with the prelude evaluated, ready for the next run. */
  private prepared: QuickJSAsyncContext | null = null
  private current: RunState | null = null
  private readonly module: QuickJSAsyncWASMModule
  private readonly memory: WebAssembly.Memory
  private readonly runtime: QuickJSAsyncRuntime
  private readonly rt: RuntimePointer
  private readonly runJobs: RunJobs

  private constructor(module: QuickJSAsyncWASMModule, memory: WebAssembly.Memory) {
    this.module = module
    this.memory = memory
    this.runtime = module.newRuntime()
    const { rt, runJobs } = jobRunner(module, this.runtime)
    this.rt = rt
    this.runJobs = runJobs
    this.runtime.setInterruptHandler(() => this.shouldInterrupt())
  }

  static async create(options: InstanceOptions): Promise<QuickJsInstance> {
    const memory = new WebAssembly.Memory({
      initial: Math.min(256, options.memoryPages),
      maximum: options.memoryPages,
    })
    const module = await newQuickJSAsyncWASMModuleFromVariant(
      newVariant(baseVariant, {
        wasmModule: options.wasmModule,
        wasmMemory: memory,
      }),
    )
    return new QuickJsInstance(module, memory)
  }

  private shouldInterrupt(): boolean {
    const run = this.current
    if (run === null) {
      return false
    }
    if (run.abandoned || performance.now() > run.deadline) {
      run.interrupted = true
      return true
    }
    return false
  }

  /** Creates the next run's context now, so the run itself does not wait for it. */
  prepare(): void {
    if (this.prepared !== null || !this.healthy) {
      return
    }
    const context = this.runtime.newContext({ intrinsics })
    try {
      this.installBridge(context)
      context.unwrapResult(context.evalCode(preludeSource, preludeFilename)).dispose()
    } catch (e) {
      context.dispose()
      throw e
    }
    this.prepared = context
  }

  /** What the prelude takes into its closure: host calls, the run's clock and random source. */
  private installBridge(context: QuickJSAsyncContext): void {
    const bridge = context.newObject()
    const call = context.newAsyncifiedFunction('call', (id, args) => this.hostCall(context, id, args))
    const now = context.newFunction('now', () => context.newNumber(this.current?.now ?? 0))
    const random = context.newFunction('random', () =>
      context.newNumber(this.current === null ? 0 : nextRandom(this.current)),
    )
    for (const [key, fn] of [
      ['call', call],
      ['now', now],
      ['random', random],
    ] as const) {
      context.setProp(bridge, key, fn)
      fn.dispose()
    }
    context.setProp(context.global, bridgeName, bridge)
    bridge.dispose()
  }

  private takeContext(): QuickJSAsyncContext {
    this.prepare()
    const context = this.prepared
    this.prepared = null
    if (context === null) {
      throw new Error('sandbox instance is not usable')
    }
    return context
  }

  /** Runs one block; resolves with its result, never rejects for anything the guest does. */
  async run(request: BlockRun, limits: SandboxLimits): Promise<SandboxResult> {
    const functions = request.functions ?? {}
    const paths = Object.keys(functions)
    const context = this.takeContext()
    const run: RunState = {
      block: request.block,
      lines: request.code.split('\n').length,
      paths,
      functions: paths.map((path) => functions[path] ?? (() => undefined)),
      hostCallsLeft: limits.hostCalls,
      hostCallLimit: limits.hostCalls,
      budgetExceeded: false,
      deadline: performance.now() + limits.cpuMs,
      cpuMs: limits.cpuMs,
      interrupted: false,
      abandoned: false,
      now: Number(request.now ?? Date.now()),
      randomState: Number(request.randomSeed ?? 0) | 0,
    }
    this.runtime.setMemoryLimit(limits.memoryBytes)
    this.runtime.setMaxStackSize(limits.stackBytes)
    this.current = run

    let timer: NodeJS.Timeout | undefined
    const wall = new Promise<SandboxResult>((resolve) => {
      timer = setTimeout(() => {
        run.abandoned = true
        resolve(this.failure(run, 'timeout', `exceeded ${limits.wallMs} ms of wall-clock time`))
      }, limits.wallMs)
    })
    const evaluation = this.evaluate(context, run, request)
    const result = await Promise.race([evaluation, wall])
    clearTimeout(timer)
    if (run.abandoned) {
      // A host call may never return: the instance stays suspended, so it is never reused.
      // If the call does return, the guest is interrupted at once and we clean up then.
      this.healthy = false
      void evaluation.finally(() => this.settleAbandoned(context))
      return result
    }
    this.finish(context, result)
    return result
  }

  /**
   * Parses a block exactly as `run` would wrap it, without running anything: QuickJS compiles
   * the wrapper to bytecode and stops, so neither the prelude's entry nor the block is called.
   * A bare context is enough, since nothing is evaluated.
   */
  compile(block: string, code: string, limits: SandboxLimits): SandboxError | null {
    const run: RunState = {
      block,
      lines: code.split('\n').length,
      paths: [],
      functions: [],
      hostCallsLeft: 0,
      hostCallLimit: 0,
      budgetExceeded: false,
      deadline: performance.now() + limits.cpuMs,
      cpuMs: limits.cpuMs,
      interrupted: false,
      abandoned: false,
      now: 0,
      randomState: 0,
    }
    this.runtime.setMemoryLimit(limits.memoryBytes)
    this.runtime.setMaxStackSize(limits.stackBytes)
    this.current = run
    const context = this.runtime.newContext({ intrinsics })
    try {
      const compiled = context.evalCode(wrap(code, {}, [], 0), block, {
        type: 'global',
        strict: true,
        compileOnly: true,
      })
      if (compiled.error) {
        const result = compiled.error.consume((error) => this.engineError(context, run, error, true))
        return result.ok ? null : result.error
      }
      compiled.value.dispose()
      return null
    } catch (e) {
      this.healthy = false
      throw e
    } finally {
      this.current = null
      try {
        context.dispose()
      } catch {
        this.healthy = false
      }
    }
  }

  private finish(context: QuickJSAsyncContext, result: SandboxResult): void {
    this.current = null
    try {
      context.dispose()
    } catch {
      this.healthy = false
    }
    if (
      (!result.ok && (result.error.kind === 'timeout' || result.error.kind === 'memory')) ||
      this.runtime.hasPendingJob() ||
      this.memory.buffer.byteLength > recycleAboveBytes
    ) {
      this.healthy = false
    }
  }

  private settleAbandoned(context: QuickJSAsyncContext): void {
    this.current = null
    try {
      context.dispose()
      this.runtime.dispose()
    } catch {
      // The instance is dropped either way; the garbage collector takes its memory.
    }
  }

  private async evaluate(context: QuickJSAsyncContext, run: RunState, request: BlockRun): Promise<SandboxResult> {
    try {
      return await this.evaluateUnsafe(context, run, request)
    } catch (e) {
      // A wasm trap (RuntimeError) or a library assertion: the guest is contained, the
      // instance is not trusted again.
      this.healthy = false
      const message = e instanceof Error ? e.message : 'aborted'
      return this.failure(run, run.interrupted ? 'timeout' : 'memory', `sandbox aborted: ${message}`)
    }
  }

  private async evaluateUnsafe(context: QuickJSAsyncContext, run: RunState, request: BlockRun): Promise<SandboxResult> {
    const source = wrap(request.code, request.globals ?? {}, run.paths, run.now)
    const evaluated = await context.evalCodeAsync(source, request.block, {
      type: 'global',
      strict: true,
    })
    if (evaluated.error) {
      return evaluated.error.consume((error) => this.engineError(context, run, error, true))
    }
    const outcome = evaluated.value
    try {
      const failed = await this.drainJobs(context, run)
      return failed ?? this.readOutcome(context, run, outcome)
    } finally {
      outcome.dispose()
    }
  }

  /** Runs promise jobs until none is left, letting host calls in them suspend. */
  private async drainJobs(context: QuickJSAsyncContext, run: RunState): Promise<SandboxResult | null> {
    const memory = context.getMemory(this.rt)
    while (this.runtime.hasPendingJob()) {
      const out = memory.newMutablePointerArray(1)
      let pointer: unknown
      try {
        pointer = await this.runJobs(this.rt, -1, out.value.ptr)
      } finally {
        out.dispose()
      }
      if (!isPointer(pointer)) {
        throw new Error('job loop returned no value')
      }
      const handle = memory.heapValueHandle(pointer)
      if (context.typeof(handle) !== 'number') {
        return handle.consume((error) => this.engineError(context, run, error, false))
      }
      handle.dispose()
      if (run.abandoned) {
        return null
      }
    }
    return null
  }

  private readOutcome(context: QuickJSAsyncContext, run: RunState, outcome: QuickJSHandle): SandboxResult {
    const state = context.getPromiseState(outcome)
    if (run.interrupted || run.budgetExceeded) {
      if (state.type === 'rejected') {
        state.error.dispose()
      } else if (state.type === 'fulfilled' && state.notAPromise !== true) {
        state.value.dispose()
      }
      return this.decode(run, 'u')
    }
    if (state.type === 'pending') {
      return this.failure(run, 'runtime', 'block did not finish: it awaits a promise that never settles')
    }
    if (state.type === 'rejected') {
      return state.error.consume((error) => this.engineError(context, run, error, false))
    }
    const encoded =
      state.notAPromise === true
        ? context.typeof(outcome) === 'string'
          ? context.getString(outcome)
          : null
        : state.value.consume((value) => (context.typeof(value) === 'string' ? context.getString(value) : null))
    if (encoded === null) {
      return this.failure(run, 'runtime', 'the block broke out of its function body')
    }
    return this.decode(run, encoded)
  }

  private decode(run: RunState, encoded: string): SandboxResult {
    if (run.budgetExceeded) {
      return this.budgetFailure(run)
    }
    if (run.interrupted) {
      return this.failure(run, 'timeout', `exceeded ${run.cpuMs} ms of CPU time`)
    }
    const tag = encoded[0]
    if (tag === 'u') {
      return { ok: true, value: undefined }
    }
    const parsed = parseJson(encoded.slice(1))
    if (tag === 'v') {
      return { ok: true, value: parsed }
    }
    return this.guestFailure(run, isGuestError(parsed) ? parsed : {})
  }

  private guestFailure(run: RunState, error: GuestError): SandboxResult {
    if (error.thrown !== undefined) {
      return error.thrown === 'null'
        ? this.failure(run, 'runtime', 'null was thrown (possibly out of memory)')
        : this.failure(run, 'runtime', error.thrown)
    }
    const name = error.name ?? ''
    const message = error.message ?? ''
    const line = lineIn(error.stack ?? '', run.block)
    if (name === 'InternalError' && message === 'out of memory') {
      return this.failure(run, 'memory', 'out of memory', line)
    }
    if (name === 'InternalError' && message === 'stack overflow') {
      return this.failure(run, 'stack', 'stack overflow (too much recursion)', line)
    }
    const text = name === '' || name === 'Error' ? message : `${name}: ${message}`
    return this.failure(run, 'runtime', text, line)
  }

  /**
   * An exception the engine raised outside the guest's own error handling: a syntax error, an
   * interrupt, or running out of memory or stack in the wrapper. Only own data properties of
   * engine-made errors are read, so no guest getter runs here; `parsing` is true when the
   * error came before any guest code ran.
   */
  private engineError(
    context: QuickJSAsyncContext,
    run: RunState,
    error: QuickJSHandle,
    parsing: boolean,
  ): SandboxResult {
    if (run.budgetExceeded) {
      return this.budgetFailure(run)
    }
    if (run.interrupted) {
      return this.failure(run, 'timeout', `exceeded ${run.cpuMs} ms of CPU time`)
    }
    if (context.typeof(error) !== 'object') {
      return this.failure(run, 'memory', 'out of memory')
    }
    const read = (key: string): string =>
      context
        .getProp(error, key)
        .consume((value) => (context.typeof(value) === 'string' ? context.getString(value) : ''))
    const message = read('message')
    const line = lineIn(read('stack'), run.block)
    if (message === 'out of memory') {
      return this.failure(run, 'memory', message, line)
    }
    if (message === 'stack overflow') {
      return this.failure(run, 'stack', 'stack overflow (too much recursion)', line)
    }
    if (parsing) {
      return this.failure(run, 'syntax', message, line)
    }
    return this.failure(run, 'runtime', message, line)
  }

  private budgetFailure(run: RunState): SandboxResult {
    return this.failure(run, 'host_call_budget', `more than ${run.hostCallLimit} host function calls`)
  }

  private failure(run: RunState, kind: SandboxErrorKind, message: string, line?: number): SandboxResult {
    const error: SandboxError = { kind, message, block: run.block }
    if (line !== undefined) {
      error.line = Math.min(line, run.lines)
    }
    return { ok: false, error }
  }

  /**
   * The one host function the guest sees (hidden in the prelude's closure). Never rejects: a
   * rejection would leave the suspended guest without a value.
   */
  private async hostCall(
    context: QuickJSAsyncContext,
    idHandle: QuickJSHandle,
    argsHandle: QuickJSHandle,
  ): Promise<QuickJSHandle> {
    const run = this.current
    const id = context.getNumber(idHandle)
    const args = context.typeof(argsHandle) === 'string' ? context.getString(argsHandle) : '[]'
    const path = run?.paths[id]
    const fn = run?.functions[id]
    if (run === null || run.abandoned || path === undefined || fn === undefined) {
      return context.newString('eno such host function')
    }
    if (run.hostCallsLeft <= 0) {
      run.budgetExceeded = true
      return context.newString(`ehost call budget of ${run.hostCallLimit} calls exceeded`)
    }
    run.hostCallsLeft -= 1
    const started = performance.now()
    const encoded = await this.callHost(path, fn, args)
    // Host time is not the guest's CPU time.
    run.deadline += performance.now() - started
    return context.newString(encoded)
  }

  private async callHost(path: string, fn: HostFunction, args: string): Promise<string> {
    try {
      const parsed = parseJson(args)
      const list = Array.isArray(parsed) ? parsed : []
      const value = await fn(...list)
      return value === undefined ? 'u' : `v${JSON.stringify(value)}`
    } catch (e) {
      return e instanceof AppError ? `e${e.message}` : `einternal error in ${path}`
    }
  }

  /** Frees everything; only for an idle instance (a suspended one is just dropped). */
  dispose(): void {
    if (this.current !== null) {
      return
    }
    try {
      this.prepared?.dispose()
      this.prepared = null
      this.runtime.dispose()
    } catch {
      // Dropping it is all that is left to do.
    }
  }
}
