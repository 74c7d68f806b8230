import type { SandboxThread } from './sandbox-thread.ts'

/**
 * At most `size` sandbox threads, started when first needed; jobs wait their turn. A thread that
 * is done (killed at its wall-clock limit, crashed, recycled) is dropped and a replacement is
 * started at once, so the pool is serving again as soon as the new thread is ready.
 */
export class ThreadPool {
  private readonly idle: SandboxThread[] = []
  private readonly waiting: Array<{
    resolve: (thread: SandboxThread) => void
    reject: (e: Error) => void
  }> = []
  /** Threads alive or starting. */
  private count = 0
  private closed = false
  private readonly all = new Set<SandboxThread>()
  private readonly size: number
  private readonly spawn: () => SandboxThread

  constructor(size: number, spawn: () => SandboxThread) {
    this.size = size
    this.spawn = spawn
  }

  /** Runs `use` on a thread of the pool, then gives the thread back (or replaces it). */
  async use<T>(use: (thread: SandboxThread) => Promise<T>): Promise<T> {
    const thread = await this.acquire()
    try {
      return await use(thread)
    } finally {
      this.release(thread)
    }
  }

  private acquire(): Promise<SandboxThread> {
    if (this.closed) {
      return Promise.reject(new Error('sandbox is closed'))
    }
    let thread = this.idle.pop()
    while (thread?.done === true) {
      // It died while idle (it crashed, say): dropped, and room is made for a new one.
      this.drop(thread)
      thread = this.idle.pop()
    }
    if (thread !== undefined) {
      return Promise.resolve(thread)
    }
    if (this.count < this.size) {
      return this.start()
    }
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }))
  }

  private async start(): Promise<SandboxThread> {
    this.count += 1
    const thread = this.spawn()
    this.all.add(thread)
    try {
      await thread.ready
      return thread
    } catch (e) {
      this.count -= 1
      this.all.delete(thread)
      throw e
    }
  }

  private release(thread: SandboxThread): void {
    if (!thread.done && !this.closed) {
      this.hand(thread)
      return
    }
    this.drop(thread)
    if (!this.closed) {
      this.start().then(
        (fresh) => (this.closed ? void fresh.terminate() : this.hand(fresh)),
        (e: unknown) => this.waiting.shift()?.reject(e instanceof Error ? e : new Error(String(e))),
      )
    }
  }

  private drop(thread: SandboxThread): void {
    this.count -= 1
    this.all.delete(thread)
    void thread.terminate()
  }

  private hand(thread: SandboxThread): void {
    const waiter = this.waiting.shift()
    if (waiter !== undefined) {
      waiter.resolve(thread)
    } else {
      this.idle.push(thread)
    }
  }

  async close(): Promise<void> {
    this.closed = true
    for (const waiter of this.waiting.splice(0)) {
      waiter.reject(new Error('sandbox is closed'))
    }
    this.idle.length = 0
    await Promise.all([...this.all].map((thread) => thread.terminate()))
    this.all.clear()
  }
}
