import variantModule from '@jitl/quickjs-wasmfile-release-asyncify'
import {
  Lifetime,
  newQuickJSAsyncWASMModuleFromVariant,
  type QuickJSAsyncContext,
  type QuickJSAsyncRuntime,
  type QuickJSAsyncWASMModule,
  type QuickJSHandle,
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

// The package's types describe its CommonJS build (the variant under `default`); Node loads its
// ESM build, whose default export is the variant itself.
const baseVariant = 'default' in variantModule ? variantModule.default : variantModule

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

/**
 * An instance of the asyncify build: host functions may return promises and the guest waits
 * for them without `await`. Holds at most one evaluation, since asyncify can suspend only one at
 * a time; compiling is ~10× slower than in the sync build, so runs come here only when they
 * call an async host function.
 */
export class AsyncInstance extends QuickJsInstance<QuickJSAsyncContext> {
  private readonly asyncRuntime: QuickJSAsyncRuntime
  private readonly rt: RuntimePointer
  private readonly runJobs: RunJobs

  private constructor(module: QuickJSAsyncWASMModule, memory: WebAssembly.Memory) {
    const runtime = module.newRuntime()
    super(runtime, memory)
    this.asyncRuntime = runtime
    const { rt, runJobs } = jobRunner(module, runtime)
    this.rt = rt
    this.runJobs = runJobs
  }

  static async create(options: InstanceOptions): Promise<AsyncInstance> {
    const { variant, memory } = ownVariant(baseVariant, options)
    const module = await newQuickJSAsyncWASMModuleFromVariant(variant)
    return new AsyncInstance(module, memory)
  }

  protected override newContext(): QuickJSAsyncContext {
    return this.asyncRuntime.newContext({ intrinsics })
  }

  protected override newCallFunction(context: QuickJSAsyncContext): QuickJSHandle {
    return context.newAsyncifiedFunction('call', (id, args) => this.hostCall(context, id, args))
  }

  /** Runs one block; resolves with its result, never rejects for anything the guest does. */
  async run(request: BlockRun, limits: SandboxLimits): Promise<SandboxResult> {
    const { context, run } = this.begin(request, limits)
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

  private settleAbandoned(context: QuickJSAsyncContext): void {
    this.current = null
    try {
      context.dispose()
      this.asyncRuntime.dispose()
    } catch {
      // The instance is dropped either way; the garbage collector takes its memory.
    }
  }

  private async evaluate(context: QuickJSAsyncContext, run: RunState, request: BlockRun): Promise<SandboxResult> {
    try {
      return await this.evaluateUnsafe(context, run, request)
    } catch (e) {
      return this.aborted(run, e)
    }
  }

  private async evaluateUnsafe(context: QuickJSAsyncContext, run: RunState, request: BlockRun): Promise<SandboxResult> {
    const evaluated = await context.evalCodeAsync(this.source(request, run), request.block, {
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
    while (this.asyncRuntime.hasPendingJob()) {
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

  /**
   * The one host function the guest sees (hidden in the prelude's closure). Never rejects: a
   * rejection would leave the suspended guest without a value.
   */
  private async hostCall(
    context: QuickJSAsyncContext,
    idHandle: QuickJSHandle,
    argsHandle: QuickJSHandle,
  ): Promise<QuickJSHandle> {
    const admitted = this.admit(context, idHandle, argsHandle)
    if (typeof admitted === 'string') {
      return context.newString(admitted)
    }
    const { run, call, args } = admitted
    const started = performance.now()
    const encoded = await callHost(call, args)
    // Host time is not the guest's CPU time.
    run.deadline += performance.now() - started
    return context.newString(encoded)
  }
}

async function callHost({ path, fn }: HostCall, args: string): Promise<string> {
  try {
    return encodeHostValue(await fn(...hostArgs(args)))
  } catch (e) {
    return encodeHostError(path, e)
  }
}
