import { readFile } from 'node:fs/promises'
import { AsyncInstance } from './quickjs-async-instance.ts'
import { checkRequest } from './quickjs-instance.ts'
import { needsAsync, SyncInstance } from './quickjs-sync-instance.ts'
import {
  defaultLimits,
  type BlockRun,
  type Sandbox,
  type SandboxError,
  type SandboxLimits,
  type SandboxResult,
} from './sandbox.ts'

export interface QuickJsSandboxOptions {
  /**
   * How many runs may be in flight at once, per build (one WebAssembly instance each): runs
   * that call async host functions wait in the asyncify pool, the others in the sync pool.
   * Default 2.
   */
  poolSize?: number
  /** Defaults for every run; a run's own `limits` override them. */
  limits?: Partial<SandboxLimits>
  /** Runs everything in the asyncify build, as before the sync build was used (tests, comparisons). */
  asyncOnly?: boolean
  /** Hard cap of each instance's WebAssembly memory, in 64 KiB pages. Default 1024 (64 MiB). */
  memoryPages?: number
}

/** How many runs ended in each build; `asyncRuns` are the restarted ones. */
export interface SandboxStats {
  syncRuns: number
  asyncRuns: number
}

export interface QuickJsSandbox extends Sandbox {
  stats(): SandboxStats
}

async function compileQuickJs(build: 'sync' | 'asyncify'): Promise<WebAssembly.Module> {
  const url = import.meta.resolve(`@jitl/quickjs-wasmfile-release-${build}/wasm`)
  return WebAssembly.compile(await readFile(new URL(url)))
}

/** What the pool needs of an instance. */
interface PooledInstance {
  healthy: boolean
  prepare(): void
  dispose(): void
}

/**
 * Hands out instances, at most `size` alive at once; runs wait their turn. An instance that is
 * no longer healthy is dropped and a new one takes its place.
 */
class InstancePool<I extends PooledInstance> {
  private readonly idle: I[] = []
  private readonly waiting: Array<{
    resolve: (instance: I) => void
    reject: (e: Error) => void
  }> = []
  private alive = 0
  private closed = false
  private readonly size: number
  private readonly create: () => Promise<I>

  constructor(size: number, create: () => Promise<I>) {
    this.size = size
    this.create = create
  }

  async acquire(): Promise<I> {
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

  private async spawn(): Promise<I> {
    this.alive += 1
    try {
      return await this.create()
    } catch (e) {
      this.alive -= 1
      throw e
    }
  }

  release(instance: I): void {
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

  private discard(instance: I): void {
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

/** Runs `use` on an instance of the pool; an instance that threw is not trusted again. */
async function withInstance<I extends PooledInstance, T>(
  pool: InstancePool<I>,
  use: (instance: I) => T,
): Promise<Awaited<T>> {
  const instance = await pool.acquire()
  try {
    return await use(instance)
  } catch (e) {
    instance.healthy = false
    throw e
  } finally {
    pool.release(instance)
  }
}

/**
 * The policy sandbox (DESIGN §4): QuickJS in WebAssembly, a fresh context per run, CPU, wall,
 * memory, stack and host-call limits. Nothing a guest does rejects `run`; it rejects only when
 * the host itself fails (closed sandbox, an instance that cannot be created, invalid names).
 *
 * A run goes to the sync build first; one that calls an async host function is abandoned at
 * that call and run again from scratch in the asyncify build, which is created on first need.
 */
export async function createQuickJsSandbox(options: QuickJsSandboxOptions = {}): Promise<QuickJsSandbox> {
  const syncModule = await compileQuickJs('sync')
  let asyncModule: Promise<WebAssembly.Module> | undefined
  const memoryPages = options.memoryPages ?? 1024
  const limits = resolveLimits(defaultLimits, options.limits)
  const poolSize = Math.max(1, options.poolSize ?? 2)
  const syncPool = new InstancePool(poolSize, () => SyncInstance.create({ wasmModule: syncModule, memoryPages }))
  const asyncPool = new InstancePool(poolSize, async () => {
    asyncModule ??= compileQuickJs('asyncify')
    return AsyncInstance.create({ wasmModule: await asyncModule, memoryPages })
  })
  const stats: SandboxStats = { syncRuns: 0, asyncRuns: 0 }

  async function run(request: BlockRun): Promise<SandboxResult> {
    checkRequest(request)
    const runLimits = resolveLimits(limits, request.limits)
    if (options.asyncOnly !== true) {
      const fast = await withInstance(syncPool, (instance) => instance.run(request, runLimits))
      if (fast !== needsAsync) {
        stats.syncRuns += 1
        return fast
      }
      request.onRestart?.()
    }
    stats.asyncRuns += 1
    return withInstance(asyncPool, (instance) => instance.run(request, runLimits))
  }

  function compile(block: string, code: string): Promise<SandboxError | null> {
    return withInstance(syncPool, (instance) => instance.compile(block, code, limits))
  }

  return {
    run,
    compile,
    stats: () => ({ ...stats }),
    close: () => {
      syncPool.close()
      asyncPool.close()
      return Promise.resolve()
    },
  }
}
