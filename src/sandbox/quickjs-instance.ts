import {
  newVariant,
  type Intrinsics,
  type QuickJSContext,
  type QuickJSHandle,
  type QuickJSRuntime,
  type QuickJSVariant,
} from 'quickjs-emscripten-core'
import type { JsonValue } from '../domain/json.ts'
import { AppError } from '../errors.ts'
import { bridgeName, preludeFilename, preludeSource, runEntry } from './guest-prelude.ts'
import type { BlockRun, HostFunction, SandboxError, SandboxErrorKind, SandboxLimits, SandboxResult } from './sandbox.ts'

/**
 * What policy code gets. Proxy and typed arrays are left out: policies work on small JSON data,
 * and each intrinsic left out makes a fresh context cheaper and the attack surface smaller.
 */
export const intrinsics: Intrinsics = {
  BaseObjects: true,
  Date: true,
  Eval: true,
  StringNormalize: true,
  RegExp: true,
  JSON: true,
  MapSet: true,
  Promise: true,
}

/** Past this, a run's WebAssembly memory is given back by replacing the instance. */
const recycleAboveBytes = 40 * 1024 * 1024

export interface InstanceOptions {
  wasmModule: WebAssembly.Module
  memoryPages: number
}

/** A host function as one run sees it; `async` ones may return a promise. */
export interface HostCall {
  path: string
  fn: HostFunction
  async: boolean
}

/**
 * A build's variant on the compiled module, with its own WebAssembly memory: capped, since
 * QuickJS's own memory limit does not stop every bomb. Both builds start at 256 pages.
 */
export function ownVariant<V extends QuickJSVariant>(
  variant: V,
  options: InstanceOptions,
): { variant: V; memory: WebAssembly.Memory } {
  const memory = new WebAssembly.Memory({
    initial: Math.min(256, options.memoryPages),
    maximum: options.memoryPages,
  })
  return { variant: newVariant(variant, { wasmModule: options.wasmModule, wasmMemory: memory }), memory }
}

/** The state of one run, shared with the interrupt handler and the host bridge. */
export interface RunState {
  block: string
  /** Lines in the body: an error past its end (an unclosed bracket) is shown on the last. */
  lines: number
  /** By the id the guest's stub passes. */
  calls: HostCall[]
  hostCallsLeft: number
  hostCallLimit: number
  budgetExceeded: boolean
  deadline: number
  cpuMs: number
  interrupted: boolean
  abandoned: boolean
  /** A sync instance met an async function: the run stops and starts over elsewhere. */
  needsAsync: boolean
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
export const parseJson: (text: string) => JsonValue = JSON.parse

const identifier = /^[A-Za-z_$][\w$]*$/

function checkName(name: string, what: string): void {
  if (!identifier.test(name)) {
    throw new TypeError(`sandbox: invalid ${what} name '${name}'`)
  }
}

/** Names end up as JS property names; anything else is a bug in the caller. */
export function checkRequest(request: BlockRun): void {
  for (const path of [...Object.keys(request.functions ?? {}), ...Object.keys(request.asyncFunctions ?? {})]) {
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
export function wrap(code: string, globals: Record<string, JsonValue>, paths: string[], now: number): string {
  return (
    `${runEntry}(${literal(globals)},` +
    `${JSON.stringify(paths.map((path) => path.split('.')))},` +
    `${now},` +
    `async function(){${code}\n})`
  )
}

/** The text a host call hands back to the guest's stub: `u`, `v<json>` or `e<message>`. */
export function encodeHostValue(value: JsonValue | undefined): string {
  return value === undefined ? 'u' : `v${JSON.stringify(value)}`
}

/** An AppError reaches the author with its message; anything else is hidden. */
export function encodeHostError(path: string, e: unknown): string {
  return e instanceof AppError ? `e${e.message}` : `einternal error in ${path}`
}

/** The arguments a guest stub passed, as JSON text. */
export function hostArgs(args: string): JsonValue[] {
  const parsed = parseJson(args)
  return Array.isArray(parsed) ? parsed : []
}

function hostCalls(request: BlockRun): HostCall[] {
  const calls: HostCall[] = []
  for (const [fns, async] of [
    [request.functions, false],
    [request.asyncFunctions, true],
  ] as const) {
    for (const [path, fn] of Object.entries(fns ?? {})) {
      calls.push({ path, fn, async })
    }
  }
  return calls
}

/**
 * One WebAssembly instance of QuickJS (its own capped memory) with one runtime reused across
 * runs; every run gets a fresh context, created ahead of time when the instance is idle. What
 * differs between the sync and the asyncify build (how the block is evaluated, how host calls
 * return) is in the subclasses; parsing, limits and turning outcomes into results are here.
 */
export abstract class QuickJsInstance<C extends QuickJSContext> {
  /** False once the instance must not run anything again (aborted, abandoned, bloated). */
  healthy = true
  /** A fresh context with the prelude evaluated, ready for the next run. */
  protected prepared: C | null = null
  protected current: RunState | null = null
  protected readonly memory: WebAssembly.Memory
  protected readonly runtime: QuickJSRuntime

  protected constructor(runtime: QuickJSRuntime, memory: WebAssembly.Memory) {
    this.runtime = runtime
    this.memory = memory
    this.runtime.setInterruptHandler(() => this.shouldInterrupt())
  }

  /** A bare context of this build, with `intrinsics`. */
  protected abstract newContext(): C

  /** The bridge's `call(id, argsJson)`: returns the encoded outcome of a host call. */
  protected abstract newCallFunction(context: C): QuickJSHandle

  private shouldInterrupt(): boolean {
    const run = this.current
    if (run === null) {
      return false
    }
    if (run.needsAsync) {
      return true
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
    const context = this.newContext()
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
  private installBridge(context: C): void {
    const bridge = context.newObject()
    const call = this.newCallFunction(context)
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

  /** Takes the prepared context and sets the run's limits; the run then owns the context. */
  protected begin(request: BlockRun, limits: SandboxLimits): { context: C; run: RunState } {
    this.prepare()
    const context = this.prepared
    this.prepared = null
    if (context === null) {
      throw new Error('sandbox instance is not usable')
    }
    const run = this.newRunState(request.block, request.code, limits, hostCalls(request))
    run.now = Number(request.now ?? Date.now())
    run.randomState = Number(request.randomSeed ?? 0) | 0
    this.runtime.setMemoryLimit(limits.memoryBytes)
    this.runtime.setMaxStackSize(limits.stackBytes)
    this.current = run
    return { context, run }
  }

  private newRunState(block: string, code: string, limits: SandboxLimits, calls: HostCall[]): RunState {
    return {
      block,
      lines: code.split('\n').length,
      calls,
      hostCallsLeft: limits.hostCalls,
      hostCallLimit: limits.hostCalls,
      budgetExceeded: false,
      deadline: performance.now() + limits.cpuMs,
      cpuMs: limits.cpuMs,
      interrupted: false,
      abandoned: false,
      needsAsync: false,
      now: 0,
      randomState: 0,
    }
  }

  /** The wrapper of a run: the prelude's entry called with the run's data and the block. */
  protected source(request: BlockRun, run: RunState): string {
    return wrap(
      request.code,
      request.globals ?? {},
      run.calls.map((call) => call.path),
      run.now,
    )
  }

  /**
   * Parses a block exactly as `run` would wrap it, without running anything: QuickJS compiles
   * the wrapper to bytecode and stops, so neither the prelude's entry nor the block is called.
   * A bare context is enough, since nothing is evaluated.
   */
  compile(block: string, code: string, limits: SandboxLimits): SandboxError | null {
    const run = this.newRunState(block, code, limits, [])
    this.runtime.setMemoryLimit(limits.memoryBytes)
    this.runtime.setMaxStackSize(limits.stackBytes)
    this.current = run
    const context = this.newContext()
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

  /**
   * The function a guest call refers to, counted against the run's budget, with its arguments
   * as JSON text; or the encoded error the guest gets instead.
   */
  protected admit(
    context: QuickJSContext,
    idHandle: QuickJSHandle,
    argsHandle: QuickJSHandle,
  ): { run: RunState; call: HostCall; args: string } | string {
    const run = this.current
    const call = run?.calls[context.getNumber(idHandle)]
    if (run === null || run.abandoned || run.needsAsync || call === undefined) {
      return 'eno such host function'
    }
    if (run.hostCallsLeft <= 0) {
      run.budgetExceeded = true
      return `ehost call budget of ${run.hostCallLimit} calls exceeded`
    }
    run.hostCallsLeft -= 1
    const args = context.typeof(argsHandle) === 'string' ? context.getString(argsHandle) : '[]'
    return { run, call, args }
  }

  protected finish(context: C, result: SandboxResult | null): void {
    this.current = null
    try {
      context.dispose()
    } catch {
      this.healthy = false
    }
    if (
      (result !== null && !result.ok && (result.error.kind === 'timeout' || result.error.kind === 'memory')) ||
      this.runtime.hasPendingJob() ||
      this.memory.buffer.byteLength > recycleAboveBytes
    ) {
      this.healthy = false
    }
  }

  /**
   * A wasm trap (RuntimeError) or a library assertion: the guest is contained, the instance is
   * not trusted again.
   */
  protected aborted(run: RunState, e: unknown): SandboxResult {
    this.healthy = false
    const message = e instanceof Error ? e.message : 'aborted'
    return this.failure(run, run.interrupted ? 'timeout' : 'memory', `sandbox aborted: ${message}`)
  }

  protected readOutcome(context: QuickJSContext, run: RunState, outcome: QuickJSHandle): SandboxResult {
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
  protected engineError(context: QuickJSContext, run: RunState, error: QuickJSHandle, parsing: boolean): SandboxResult {
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

  protected failure(run: RunState, kind: SandboxErrorKind, message: string, line?: number): SandboxResult {
    const error: SandboxError = { kind, message, block: run.block }
    if (line !== undefined) {
      error.line = Math.min(line, run.lines)
    }
    return { ok: false, error }
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
