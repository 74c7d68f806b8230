import variantModule from '@jitl/quickjs-wasmfile-release-sync'
import {
  newQuickJSWASMModuleFromVariant,
  newVariant,
  type Intrinsics,
  type QuickJSContext,
  type QuickJSHandle,
  type QuickJSRuntime,
  type QuickJSWASMModule,
} from 'quickjs-emscripten-core'
import { BlockFactories } from './block-factories.ts'
import { bridgeName, preludeFilename, preludeSource } from './guest-prelude.ts'
import { engineError, failure, readOutcome, type RunState } from './run-outcome.ts'
import type { SandboxError, SandboxLimits, SandboxResult } from './sandbox.ts'
import { progressSlot, type CompileMessage, type RunMessage } from './worker-protocol.ts'

// The package's types describe its CommonJS build (the variant under `default`); Node loads its
// ESM build, whose default export is the variant itself.
const baseVariant = 'default' in variantModule ? variantModule.default : variantModule

/**
 * What policy code gets. Proxy and typed arrays are left out: policies work on small JSON data,
 * and each intrinsic left out makes the attack surface smaller.
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

/** Past this, the worker asks to be replaced, which gives its WebAssembly memory back. */
const recycleAboveBytes = 40 * 1024 * 1024

/** Performs a host call for the guest (blocking this thread) and returns its encoded outcome. */
export type HostCaller = (index: number, args: string) => string

/** The CPU time this thread has used, in ms. */
export type CpuClock = () => number

function threadCpuMs(): number {
  const { user, system } = process.threadCpuUsage()
  return (user + system) / 1000
}

/** A context with the prelude run and everything frozen, reused by run after run. */
interface PooledContext {
  context: QuickJSContext
  entry: QuickJSHandle
  factories: BlockFactories
}

/**
 * QuickJS (sync build) in one worker thread: one WebAssembly instance with its own capped
 * memory, a runtime, and one pooled, hardened context (DESIGN §4) that serves run after run.
 * Each block is compiled once per context into a factory whose parameters are the run's names,
 * so a warm run is one call. After a run that timed out, ran out of memory or stack, or left
 * promise jobs behind, the context is retired with its runtime (which holds the job queue), and
 * the next run gets fresh ones.
 */
export class QuickJsRunner {
  private pooled: PooledContext | null = null
  private current: RunState | null = null
  private caller: HostCaller | null = null
  private runtime: QuickJSRuntime
  /** The instance is not trusted any more (a trap, a runtime that could not be freed): replace it. */
  private broken = false
  private readonly module: QuickJSWASMModule
  private readonly memory: WebAssembly.Memory
  private readonly cpuClock: CpuClock
  private readonly progress: Int32Array | null

  private constructor(
    module: QuickJSWASMModule,
    memory: WebAssembly.Memory,
    cpuClock: CpuClock,
    progress: Int32Array | null,
  ) {
    this.module = module
    this.memory = memory
    this.cpuClock = cpuClock
    this.progress = progress
    this.runtime = this.newRuntime()
  }

  private newRuntime(): QuickJSRuntime {
    const runtime = this.module.newRuntime()
    runtime.setInterruptHandler(() => this.shouldInterrupt())
    return runtime
  }

  /**
   * A capped `WebAssembly.Memory`, since QuickJS's own memory limit does not stop every bomb.
   * `cpuClock` is this thread's CPU time (a test gives its own); `progress`, when given, gets 1
   * added at its `progressSlot` at each of the guest's interrupt checks (`WorkerSetup.signal`).
   */
  static async create(
    wasmModule: WebAssembly.Module,
    memoryPages: number,
    options: { cpuClock?: CpuClock; progress?: Int32Array } = {},
  ): Promise<QuickJsRunner> {
    const { cpuClock = threadCpuMs, progress = null } = options
    const memory = new WebAssembly.Memory({ initial: Math.min(256, memoryPages), maximum: memoryPages })
    const module = await newQuickJSWASMModuleFromVariant(newVariant(baseVariant, { wasmModule, wasmMemory: memory }))
    const runner = new QuickJsRunner(module, memory, cpuClock, progress)
    runner.pool()
    return runner
  }

  /** True when the worker should be replaced rather than kept idle. */
  get bloated(): boolean {
    return this.broken || this.memory.buffer.byteLength > recycleAboveBytes
  }

  /**
   * Called by QuickJS every so many operations of a running guest. The clock is looked at
   * first, which costs nothing: a run cannot have used more CPU than the time it has taken. Once
   * that time is past the budget, the thread's CPU time decides, less what the run's host calls
   * took: a thread that a busy machine kept waiting has not spent its budget, and gets what is
   * left of it (the wall-clock limit, enforced from the main thread, still bounds the run; each
   * check counts on `progress`, which tells the main thread the run is going on).
   */
  private shouldInterrupt(): boolean {
    const run = this.current
    if (run === null) {
      return false
    }
    if (this.progress !== null) {
      Atomics.add(this.progress, progressSlot, 1)
    }
    const now = performance.now()
    if (now <= run.deadline) {
      return false
    }
    const left = run.cpuMs - (this.cpuClock() - run.cpuStart - run.hostMs)
    if (left > 0) {
      run.deadline = now + left
      return false
    }
    run.interrupted = true
    return true
  }

  /** The pooled context, made (prelude run, intrinsics frozen) when there is none. */
  private pool(): PooledContext {
    if (this.pooled !== null) {
      return this.pooled
    }
    this.runtime.setMemoryLimit(-1)
    this.runtime.setMaxStackSize(0)
    const context = this.runtime.newContext({ intrinsics })
    try {
      const bridge = context.newObject()
      context
        .newFunction('call', (id, args) => this.hostCall(context, id, args))
        .consume((call) => {
          context.setProp(bridge, 'call', call)
        })
      context.setProp(context.global, bridgeName, bridge)
      bridge.dispose()
      const exported = context.unwrapResult(context.evalCode(preludeSource, preludeFilename, { strict: true }))
      const entry = context.getProp(exported, 'run')
      const sourceOf = context.getProp(exported, 'sourceOf')
      exported.dispose()
      this.pooled = { context, entry, factories: new BlockFactories(context, sourceOf) }
      return this.pooled
    } catch (e) {
      context.dispose()
      throw e
    }
  }

  /** Drops the pooled context, everything compiled in it and its runtime's pending jobs. */
  private retire(): void {
    const pooled = this.pooled
    const runtime = this.runtime
    this.pooled = null
    this.runtime = this.newRuntime()
    try {
      if (pooled !== null) {
        pooled.factories.dispose()
        pooled.entry.dispose()
        pooled.context.dispose()
      }
      runtime.dispose()
    } catch {
      // Its memory stays taken: the worker is replaced after this run.
      this.broken = true
    }
  }

  private begin(block: string, code: string, limits: SandboxLimits): RunState {
    const run: RunState = {
      block,
      lines: code.split('\n').length,
      hostCallsLeft: limits.hostCalls,
      hostCallLimit: limits.hostCalls,
      budgetExceeded: false,
      deadline: performance.now() + limits.cpuMs,
      cpuMs: limits.cpuMs,
      cpuStart: this.cpuClock(),
      hostMs: 0,
      interrupted: false,
    }
    this.runtime.setMemoryLimit(limits.memoryBytes)
    this.runtime.setMaxStackSize(limits.stackBytes)
    this.current = run
    return run
  }

  private end(): void {
    this.current = null
    this.caller = null
    this.runtime.setMemoryLimit(-1)
    this.runtime.setMaxStackSize(0)
  }

  /** Runs one block to its end; never throws for anything the guest does. */
  run(message: RunMessage, caller: HostCaller): SandboxResult {
    const pooled = this.pool()
    const run = this.begin(message.block, message.code, message.limits)
    this.caller = caller
    let result: SandboxResult
    let clean = false
    try {
      ;({ result, clean } = this.evaluate(pooled, run, message))
    } catch (e) {
      // A wasm trap or a library assertion: contained, but nothing of this instance is trusted,
      // so the worker asks to be replaced.
      this.broken = true
      const text = e instanceof Error ? e.message : 'aborted'
      result = failure(run, run.interrupted ? 'timeout' : 'memory', `sandbox aborted: ${text}`)
    } finally {
      this.end()
    }
    const kind = result.ok ? null : result.error.kind
    if (!clean || kind === 'timeout' || kind === 'memory' || kind === 'stack') {
      this.retire()
    }
    return result
  }

  private evaluate(
    pooled: PooledContext,
    run: RunState,
    message: RunMessage,
  ): { result: SandboxResult; clean: boolean } {
    const { context } = pooled
    const names: unknown = JSON.parse(message.names)
    const factory = pooled.factories.get(run, Array.isArray(names) ? names.map(String) : [], message.code)
    if ('result' in factory) {
      return factory
    }
    const args = [
      factory.handle,
      context.newString(message.names),
      context.newString(message.data),
      context.newString(message.paths),
      context.newNumber(message.now),
      context.newNumber(message.seed),
      context.newString(message.answers),
    ]
    const called = context.callFunction(pooled.entry, context.undefined, ...args)
    for (const arg of args.slice(1)) {
      arg.dispose()
    }
    if (called.error) {
      return { result: called.error.consume((error) => engineError(context, run, error, false)), clean: false }
    }
    return called.value.consume((outcome) => {
      const failed = this.drainJobs(context, run)
      if (failed !== null) {
        return { result: failed, clean: false }
      }
      return { result: readOutcome(context, run, outcome), clean: !this.runtime.hasPendingJob() }
    })
  }

  /** Parses a block as `run` would, running none of it: the syntax error or null. */
  compile(message: CompileMessage): SandboxError | null {
    const pooled = this.pool()
    const run = this.begin(message.block, message.code, message.limits)
    try {
      return pooled.factories.parse(run, [], message.code)
    } finally {
      this.end()
    }
  }

  /**
   * Runs promise jobs until none is left; a loop in them meets the interrupt handler. An error
   * here (interrupt, memory, stack) ends the run.
   */
  private drainJobs(context: QuickJSContext, run: RunState): SandboxResult | null {
    while (this.runtime.hasPendingJob()) {
      const jobs = this.runtime.executePendingJobs(-1)
      if (jobs.error) {
        return jobs.error.consume((error) => engineError(context, run, error, false))
      }
      jobs.dispose()
    }
    return null
  }

  /** The one host function the guest sees (hidden in the prelude's closure). */
  private hostCall(context: QuickJSContext, idHandle: QuickJSHandle, argsHandle: QuickJSHandle): QuickJSHandle {
    const run = this.current
    const caller = this.caller
    if (run === null || caller === null) {
      return context.newString('eno host calls outside a run')
    }
    if (run.hostCallsLeft <= 0) {
      run.budgetExceeded = true
      return context.newString(`ehost call budget of ${run.hostCallLimit} calls exceeded`)
    }
    run.hostCallsLeft -= 1
    const args = context.typeof(argsHandle) === 'string' ? context.getString(argsHandle) : '[]'
    const started = performance.now()
    const encoded = caller(context.getNumber(idHandle), args)
    // Host time is not the guest's CPU time (the wall-clock limit covers it), even where this
    // thread spent it awake, waiting for the answer.
    const took = performance.now() - started
    run.deadline += took
    run.hostMs += took
    return context.newString(encoded)
  }
}
