import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads'
import type { HostFunction } from './sandbox.ts'
import { performHostCall } from './host-calls.ts'
import {
  AdaptiveSpin,
  progressSlot,
  replySlot,
  signalSlots,
  type FromWorker,
  type Job,
  type ToWorker,
  type WorkerSetup,
} from './worker-protocol.ts'

type Reply = Extract<FromWorker, { type: 'ran' | 'compiled' }>

/** How a job ended: the worker's reply, killed at its wall-clock limit, or the worker died. */
export type JobOutcome =
  | { type: 'reply'; reply: Reply }
  /**
   * `hostMs`: how much of the run went waiting for host calls (the main thread's share).
   * `starved`: the guest was still going on at `starvedAfter` times its limit (see `overran`).
   */
  | { type: 'timeout'; hostMs: number; starved: boolean }
  | { type: 'crashed'; error: Error }

/**
 * Past its wall-clock limit, a run whose guest went on within the last `stillGoingMs` (its
 * interrupt checks counted, no host call out) is let go on, look after look, up to
 * `starvedAfter` times the limit: it is not stuck in QuickJS's C code, which makes no checks,
 * and its CPU limit, enforced inside and lower than the wall-clock one, stops it once it has used
 * its CPU time. So a run that the limit finds going on is one a busy machine kept waiting, not
 * one that ran away. (With a CPU limit not lower than the wall-clock one, no run is let go on.)
 */
const stillGoingMs = 100
export const starvedAfter = 5

/** A host function a job may call, by the index the guest's stub passes. */
export interface JobFunction {
  path: string
  fn: HostFunction
}

interface ActiveJob {
  id: number
  functions: JobFunction[]
  timer: NodeJS.Timeout
  /** When it was sent, and the guest's interrupt checks counted at the last look (`overran`). */
  sentAt: number
  progress: number
  /** Whether its CPU limit is lower than its wall-clock one: it may be let go on past the latter. */
  patient: boolean
  /** Time spent in finished host calls, and when the one in flight (if any) began. */
  hostMs: number
  callStart: number | null
  settle(outcome: JobOutcome): void
}

/** Jobs in flight in this process, over every thread: the main thread waits awake only for a lone one. */
let inFlight = 0
const forRuns = new AdaptiveSpin()

export interface ThreadOptions {
  entry: URL
  wasmModule: WebAssembly.Module
  memoryPages: number
  /** How long the worker waits awake (see `AdaptiveSpin`); the main thread waits half of it. */
  spinMs: number
}

/**
 * One sandbox worker thread, seen from the main thread: runs one job at a time, answers its
 * host calls (performed here, on the main thread) and terminates it when the job overruns its
 * wall-clock limit. A thread that was terminated, crashed or asked to be recycled is `done`.
 */
export class SandboxThread {
  readonly ready: Promise<void>
  /** Resolves `ready` (the worker's first message). */
  private started: () => void = () => undefined
  /** True once the thread must not get another job. */
  done = false
  private readonly worker: Worker
  private readonly signal: Int32Array
  private readonly replies: MessagePort
  private readonly fromWorker: MessagePort
  private readonly spinMs: number
  private job: ActiveJob | null = null
  private nextId = 1

  constructor(options: ThreadOptions) {
    const shared = new SharedArrayBuffer(signalSlots * Int32Array.BYTES_PER_ELEMENT)
    this.signal = new Int32Array(shared)
    const channel = new MessageChannel()
    this.replies = channel.port1
    const back = new MessageChannel()
    this.fromWorker = back.port1
    const setup: WorkerSetup = {
      wasmModule: options.wasmModule,
      memoryPages: options.memoryPages,
      signal: shared,
      replies: channel.port2,
      toMain: back.port2,
      spinMs: options.spinMs,
    }
    this.spinMs = options.spinMs
    this.worker = new Worker(options.entry, {
      workerData: setup,
      transferList: [channel.port2, back.port2],
      execArgv: [],
      // The guest's heap is WebAssembly memory, capped on its own; this bounds the rest.
      resourceLimits: { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 2, stackSizeMb: 4 },
    })
    this.ready = new Promise((resolve, reject) => {
      this.started = resolve
      this.worker.once('error', reject)
      this.worker.once('exit', (code) => reject(new Error(`sandbox worker exited with code ${code} while starting`)))
    })
    // An idle thread does not keep the process alive. Whoever waits on `ready` handles a failed
    // start; the catch keeps it from being unhandled.
    this.ready.then(
      () => this.job === null && this.worker.unref(),
      () => undefined,
    )
    this.fromWorker.on('message', (message: FromWorker) => this.receive(message))
    // The worker's own handle keeps the process alive while a job is out; the port never does.
    this.fromWorker.unref()
    this.worker.on('error', (error: Error) => this.stop({ type: 'crashed', error }))
    this.worker.on('exit', (code) =>
      this.stop({ type: 'crashed', error: new Error(`sandbox worker exited (${code})`) }),
    )
  }

  /**
   * Sends one job; resolves when it ends, however it ends. Never rejects. `awake`: when it is
   * the only job in flight, the calling thread waits awake for it (see `awaitAwake`).
   */
  submit(message: Job, functions: JobFunction[], wallMs: number, awake = true): Promise<JobOutcome> {
    if (this.done || this.job !== null) {
      return Promise.resolve({ type: 'crashed', error: new Error('sandbox worker is not available') })
    }
    const id = this.nextId++
    this.worker.ref()
    return new Promise((resolve) => {
      const active: ActiveJob = {
        id,
        functions,
        timer: setTimeout(() => this.overran(active, wallMs), wallMs),
        sentAt: performance.now(),
        progress: Atomics.load(this.signal, progressSlot),
        patient: message.limits.cpuMs < wallMs,
        hostMs: 0,
        callStart: null,
        settle: (outcome) => {
          clearTimeout(active.timer)
          inFlight -= 1
          this.job = null
          this.worker.unref()
          resolve(outcome)
        },
      }
      this.job = active
      inFlight += 1
      this.worker.postMessage({ ...message, id } satisfies ToWorker)
      if (awake) {
        this.waitAwake()
      }
    })
  }

  /**
   * Waits awake for the job in flight when it is the only one (see `awaitAwake`): `submit` does,
   * unless told not to, and a caller that sent one so may do it later, with nothing else to do.
   */
  waitAwake(): void {
    if (this.job !== null && inFlight === 1) {
      this.awaitAwake(this.job)
    }
  }

  /**
   * Takes the worker's messages as they come, for up to half the spin, while `job` runs: its end
   * settles it now, and host calls answered at once are answered now. Gives up on the first host
   * call that must wait (the event loop then does the rest), and when the time is up.
   */
  private awaitAwake(job: ActiveJob): void {
    forRuns.wait(this.spinMs / 2, () => {
      const message = receiveMessageOnPort(this.fromWorker)?.message as FromWorker | undefined
      if (message !== undefined) {
        this.receive(message)
      }
      return this.job !== job || job.callStart !== null
    })
  }

  private receive(message: FromWorker): void {
    const job = this.job
    switch (message.type) {
      case 'ready':
        this.started()
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

  /**
   * `job` is past its wall-clock limit (`wallMs`), or past a look after it: ended, unless the
   * guest went on since the last look (see `stillGoingMs`), which earns it another look.
   */
  private overran(job: ActiveJob, wallMs: number): void {
    if (this.job !== job) {
      return
    }
    const progress = Atomics.load(this.signal, progressSlot)
    const goingOn = job.patient && progress !== job.progress && job.callStart === null
    const starved = goingOn && performance.now() - job.sentAt >= wallMs * starvedAfter
    if (goingOn && !starved) {
      job.progress = progress
      job.timer = setTimeout(() => this.overran(job, wallMs), stillGoingMs)
      return
    }
    this.stop({ type: 'timeout', hostMs: this.hostTime(), starved })
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
    Atomics.store(this.signal, replySlot, 1)
    Atomics.notify(this.signal, replySlot)
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
