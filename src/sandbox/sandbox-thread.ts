import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads'
import type { HostFunction } from './sandbox.ts'
import { performHostCall } from './host-calls.ts'
import type { FromWorker, Job, ToWorker, WorkerSetup } from './worker-protocol.ts'

type Reply = Extract<FromWorker, { type: 'ran' | 'compiled' }>

/** How a job ended: the worker's reply, killed at its wall-clock limit, or the worker died. */
export type JobOutcome =
  | { type: 'reply'; reply: Reply }
  /** `hostMs`: how much of the run went waiting for host calls (the main thread's share). */
  | { type: 'timeout'; hostMs: number }
  | { type: 'crashed'; error: Error }

/** A host function a job may call, by the index the guest's stub passes. */
export interface JobFunction {
  path: string
  fn: HostFunction
}

interface ActiveJob {
  id: number
  functions: JobFunction[]
  timer: NodeJS.Timeout
  /** Time spent in finished host calls, and when the one in flight (if any) began. */
  hostMs: number
  callStart: number | null
  settle(outcome: JobOutcome): void
}

export interface ThreadOptions {
  entry: URL
  wasmModule: WebAssembly.Module
  memoryPages: number
}

/**
 * One sandbox worker thread, seen from the main thread: runs one job at a time, answers its
 * host calls (performed here, on the main thread) and terminates it when the job overruns its
 * wall-clock limit. A thread that was terminated, crashed or asked to be recycled is `done`.
 */
export class SandboxThread {
  readonly ready: Promise<void>
  /** True once the thread must not get another job. */
  done = false
  private readonly worker: Worker
  private readonly signal: Int32Array
  private readonly replies: MessagePort
  private job: ActiveJob | null = null
  private nextId = 1

  constructor(options: ThreadOptions) {
    const shared = new SharedArrayBuffer(4)
    this.signal = new Int32Array(shared)
    const channel = new MessageChannel()
    this.replies = channel.port1
    const setup: WorkerSetup = {
      wasmModule: options.wasmModule,
      memoryPages: options.memoryPages,
      signal: shared,
      replies: channel.port2,
    }
    this.worker = new Worker(options.entry, {
      workerData: setup,
      transferList: [channel.port2],
      execArgv: [],
      // The guest's heap is WebAssembly memory, capped on its own; this bounds the rest.
      resourceLimits: { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 2, stackSizeMb: 4 },
    })
    this.ready = new Promise((resolve, reject) => {
      this.worker.once('message', () => resolve())
      this.worker.once('error', reject)
      this.worker.once('exit', (code) => reject(new Error(`sandbox worker exited with code ${code} while starting`)))
    })
    // An idle thread does not keep the process alive. Whoever waits on `ready` handles a failed
    // start; the catch keeps it from being unhandled.
    this.ready.then(
      () => this.job === null && this.worker.unref(),
      () => undefined,
    )
    this.worker.on('message', (message: FromWorker) => this.receive(message))
    this.worker.on('error', (error: Error) => this.stop({ type: 'crashed', error }))
    this.worker.on('exit', (code) =>
      this.stop({ type: 'crashed', error: new Error(`sandbox worker exited (${code})`) }),
    )
  }

  /** Sends one job; resolves when it ends, however it ends. Never rejects. */
  submit(message: Job, functions: JobFunction[], wallMs: number): Promise<JobOutcome> {
    if (this.done || this.job !== null) {
      return Promise.resolve({ type: 'crashed', error: new Error('sandbox worker is not available') })
    }
    const id = this.nextId++
    this.worker.ref()
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.stop({ type: 'timeout', hostMs: this.hostTime() }), wallMs)
      this.job = {
        id,
        functions,
        timer,
        hostMs: 0,
        callStart: null,
        settle: (outcome) => {
          clearTimeout(timer)
          this.job = null
          this.worker.unref()
          resolve(outcome)
        },
      }
      const job: ToWorker = { ...message, id }
      this.worker.postMessage(job)
    })
  }

  private receive(message: FromWorker): void {
    const job = this.job
    switch (message.type) {
      case 'ready':
        return
      case 'call': {
        if (job === null) {
          return
        }
        const called = job.functions[message.index]
        if (called === undefined) {
          this.answer(job, 'eno such host function')
          return
        }
        job.callStart = performance.now()
        performHostCall(called.path, called.fn, message.args, (encoded) => this.answer(job, encoded))
        return
      }
      case 'ran':
      case 'compiled':
        if (job?.id === message.id) {
          if (message.recycle) {
            this.done = true
          }
          job.settle({ type: 'reply', reply: message })
        }
        return
    }
  }

  /** Hands a host call's outcome to the blocked worker, unless its job ended meanwhile. */
  private answer(job: ActiveJob, encoded: string): void {
    if (this.job !== job || this.done) {
      return
    }
    if (job.callStart !== null) {
      job.hostMs += performance.now() - job.callStart
      job.callStart = null
    }
    this.replies.postMessage(encoded)
    Atomics.store(this.signal, 0, 1)
    Atomics.notify(this.signal, 0)
  }

  /** The running job's time in host calls so far, the one in flight included. */
  private hostTime(): number {
    const job = this.job
    if (job === null) {
      return 0
    }
    return job.hostMs + (job.callStart === null ? 0 : performance.now() - job.callStart)
  }

  /** Ends the thread (and its job, with `outcome`). */
  private stop(outcome: JobOutcome): void {
    const wasDone = this.done
    this.done = true
    this.job?.settle(outcome)
    if (!wasDone) {
      void this.worker.terminate()
      this.replies.close()
    }
  }

  /** Terminates the thread; a job in flight ends as crashed. */
  async terminate(): Promise<void> {
    this.stop({ type: 'crashed', error: new Error('sandbox is closed') })
    await this.worker.terminate()
  }
}
