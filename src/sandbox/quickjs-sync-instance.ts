import variantModule from '@jitl/quickjs-wasmfile-release-sync'
import {
  newQuickJSWASMModuleFromVariant,
  type QuickJSContext,
  type QuickJSHandle,
  type QuickJSWASMModule,
} from 'quickjs-emscripten-core'
import {
  encodeHostError,
  encodeHostValue,
  hostArgs,
  intrinsics,
  ownVariant,
  QuickJsInstance,
  type HostCall,
  type InstanceOptions,
  type RunState,
} from './quickjs-instance.ts'
import type { BlockRun, SandboxLimits, SandboxResult } from './sandbox.ts'

// As in the asyncify build: the types describe the CommonJS build, Node loads the ESM one.
const baseVariant = 'default' in variantModule ? variantModule.default : variantModule

/** The run called an async host function: it must start over in the asyncify build. */
export const needsAsync = 'needs_async'

/**
 * An instance of the sync build, where compiling is ~10× faster than with asyncify but nothing
 * can suspend: a run either finishes here with only synchronous host calls, or stops at its
 * first call of an async function, before that function runs, and comes back as `needsAsync`.
 * From then on every host call is refused and the interrupt handler stops the guest, so an
 * abandoned attempt has no effects beyond the host calls it made before.
 */
export class SyncInstance extends QuickJsInstance<QuickJSContext> {
  private constructor(module: QuickJSWASMModule, memory: WebAssembly.Memory) {
    super(module.newRuntime(), memory)
  }

  static async create(options: InstanceOptions): Promise<SyncInstance> {
    const { variant, memory } = ownVariant(baseVariant, options)
    const module = await newQuickJSWASMModuleFromVariant(variant)
    return new SyncInstance(module, memory)
  }

  protected override newContext(): QuickJSContext {
    return this.runtime.newContext({ intrinsics })
  }

  protected override newCallFunction(context: QuickJSContext): QuickJSHandle {
    return context.newFunction('call', (id, args) => this.hostCall(context, id, args))
  }

  /**
   * Runs one block to its end; never throws for anything the guest does. No wall-clock timer:
   * nothing here waits, so the CPU deadline (host calls excluded) bounds the run.
   */
  run(request: BlockRun, limits: SandboxLimits): SandboxResult | typeof needsAsync {
    const { context, run } = this.begin(request, limits)
    let result: SandboxResult
    try {
      result = this.evaluate(context, run, request)
    } catch (e) {
      result = this.aborted(run, e)
    }
    this.finish(context, run.needsAsync ? null : result)
    return run.needsAsync ? needsAsync : result
  }

  private evaluate(context: QuickJSContext, run: RunState, request: BlockRun): SandboxResult {
    const evaluated = context.evalCode(this.source(request, run), request.block, {
      type: 'global',
      strict: true,
    })
    if (evaluated.error) {
      return evaluated.error.consume((error) => this.engineError(context, run, error, true))
    }
    return evaluated.value.consume((outcome) => this.drainJobs(context, run) ?? this.readOutcome(context, run, outcome))
  }

  /**
   * Runs promise jobs until none is left. After a restart is decided, jobs still run (and are
   * interrupted) so the context is left with none pending and the instance stays reusable.
   */
  private drainJobs(context: QuickJSContext, run: RunState): SandboxResult | null {
    while (this.runtime.hasPendingJob()) {
      const jobs = this.runtime.executePendingJobs(-1)
      if (jobs.error && run.needsAsync) {
        jobs.error.dispose()
      } else if (jobs.error) {
        return jobs.error.consume((error) => this.engineError(context, run, error, false))
      }
    }
    return null
  }

  /** The one host function the guest sees (hidden in the prelude's closure). */
  private hostCall(context: QuickJSContext, idHandle: QuickJSHandle, argsHandle: QuickJSHandle): QuickJSHandle {
    const admitted = this.admit(context, idHandle, argsHandle)
    if (typeof admitted === 'string') {
      return context.newString(admitted)
    }
    const { run, call, args } = admitted
    if (call.async) {
      run.needsAsync = true
      return context.newString('erestarting the run')
    }
    const started = performance.now()
    const encoded = callHost(call, args)
    // Host time is not the guest's CPU time.
    run.deadline += performance.now() - started
    return context.newString(encoded)
  }
}

/** A synchronous function that returns a promise anyway is a host bug: the guest gets an error. */
function callHost({ path, fn }: HostCall, args: string): string {
  try {
    const value = fn(...hostArgs(args))
    if (value instanceof Promise) {
      value.catch(() => undefined)
      return encodeHostError(path, new Error('a synchronous host function returned a promise'))
    }
    return encodeHostValue(value)
  } catch (e) {
    return encodeHostError(path, e)
  }
}
