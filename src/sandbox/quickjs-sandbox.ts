import { readFile } from 'node:fs/promises'
import { checkRequest, QuickJsInstance } from './quickjs-instance.ts'
import {
  defaultLimits,
  type BlockRun,
  type Sandbox,
  type SandboxError,
  type SandboxLimits,
  type SandboxResult,
} from './sandbox.ts'

export interface QuickJsSandboxOptions {
  /** How many runs may be in flight at once (one WebAssembly instance each). Default 2. */
  poolSize?: number
  /** Defaults for every run; a run's own `limits` override them. */
  limits?: Partial<SandboxLimits>
  /** Hard cap of each instance's WebAssembly memory, in 64 KiB pages. Default 1024 (64 MiB). */
  memoryPages?: number
}

async function compileQuickJs(): Promise<WebAssembly.Module> {
  const url = import.meta.resolve('@jitl/quickjs-wasmfile-release-asyncify/wasm')
  return WebAssembly.compile(await readFile(new URL(url)))
}

/**
 * Hands out instances, at most `size` alive at once; runs wait their turn. An instance that is
 * no longer healthy is dropped and a new one takes its place.
 */
class InstancePool {
  private readonly idle: QuickJsInstance[] = []
  private readonly waiting: Array<{
    resolve: (instance: QuickJsInstance) => void
    reject: (e: Error) => void
  }> = []
  private alive = 0
  private closed = false
  private readonly size: number
  private readonly create: () => Promise<QuickJsInstance>

  constructor(size: number, create: () => Promise<QuickJsInstance>) {
    this.size = size
    this.create = create
  }

  async acquire(): Promise<QuickJsInstance> {
    if (this.closed) {
      throw new Error('sandbox is closed')
    }
    let instance = this.idle.pop()
    while (instance !== undefined && !instance.healthy) {
      this.discard(instance)
      instance = this.idle.pop()
    }
    if (instance !== undefined) {
      return instance
    }
    if (this.alive < this.size) {
      return this.spawn()
    }
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }))
  }

  private async spawn(): Promise<QuickJsInstance> {
    this.alive += 1
    try {
      return await this.create()
    } catch (e) {
      this.alive -= 1
      throw e
    }
  }

  release(instance: QuickJsInstance): void {
    if (!instance.healthy || this.closed) {
      this.discard(instance)
      this.replace()
      return
    }
    const waiter = this.waiting.shift()
    if (waiter !== undefined) {
      waiter.resolve(instance)
      return
    }
    this.idle.push(instance)
    // Build the next fresh context while nobody is waiting for this instance.
    setImmediate(() => {
      if (!this.closed && this.idle.includes(instance)) {
        try {
          instance.prepare()
        } catch {
          // Out of WebAssembly memory, say: the next acquire drops it and makes a new one.
          instance.healthy = false
        }
      }
    })
  }

  private discard(instance: QuickJsInstance): void {
    instance.dispose()
    this.alive -= 1
  }

  private replace(): void {
    const waiter = this.waiting.shift()
    if (waiter === undefined || this.closed) {
      return
    }
    this.spawn().then(waiter.resolve, waiter.reject)
  }

  close(): void {
    this.closed = true
    for (const waiter of this.waiting.splice(0)) {
      waiter.reject(new Error('sandbox is closed'))
    }
    for (const instance of this.idle.splice(0)) {
      this.discard(instance)
    }
  }
}

function resolveLimits(base: SandboxLimits, override: Partial<SandboxLimits> | undefined): SandboxLimits {
  return override === undefined ? base : { ...base, ...override }
}

/**
 * The policy sandbox (DESIGN §4): QuickJS in WebAssembly, a fresh context per run, CPU, wall,
 * memory, stack and host-call limits. Nothing a guest does rejects `run`; it rejects only when
 * the host itself fails (closed sandbox, an instance that cannot be created, invalid names).
 */
export async function createQuickJsSandbox(options: QuickJsSandboxOptions = {}): Promise<Sandbox> {
  const wasmModule = await compileQuickJs()
  const memoryPages = options.memoryPages ?? 1024
  const limits = resolveLimits(defaultLimits, options.limits)
  const pool = new InstancePool(Math.max(1, options.poolSize ?? 2), () =>
    QuickJsInstance.create({ wasmModule, memoryPages }),
  )

  async function run(request: BlockRun): Promise<SandboxResult> {
    checkRequest(request)
    const instance = await pool.acquire()
    try {
      return await instance.run(request, resolveLimits(limits, request.limits))
    } catch (e) {
      instance.healthy = false
      throw e
    } finally {
      pool.release(instance)
    }
  }

  async function compile(block: string, code: string): Promise<SandboxError | null> {
    const instance = await pool.acquire()
    try {
      return instance.compile(block, code, limits)
    } finally {
      pool.release(instance)
    }
  }

  return {
    run,
    compile,
    close: () => {
      pool.close()
      return Promise.resolve()
    },
  }
}
