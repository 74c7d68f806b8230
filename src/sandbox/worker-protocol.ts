import type { MessagePort } from 'node:worker_threads'
import type { SandboxError, SandboxLimits, SandboxResult } from './sandbox.ts'

/** One block to run, as the worker gets it: everything already JSON text. */
export interface RunMessage {
  type: 'run'
  block: string
  code: string
  /** JSON array: the factory's parameter names, in order. */
  names: string
  /** JSON object: the run's plain data by name. */
  data: string
  /** JSON array of dotted paths split in parts; a stub's id is its index here. */
  paths: string
  /**
   * JSON array by stub id: null, or the encoded outcomes (`u`, `v<json>`) of that function's
   * calls known beforehand, by the JSON text of their arguments; such a call makes no host call.
   */
  answers: string
  now: number
  seed: number
  limits: SandboxLimits
}

export interface CompileMessage {
  type: 'compile'
  block: string
  code: string
  limits: SandboxLimits
}

export type Job = RunMessage | CompileMessage

/** A job as sent: its id comes back with the reply. */
export type ToWorker = Job & { id: number }

/**
 * From the worker: `ready` once its context is prepared; `call` while it blocks on the signal
 * (answered on the reply port); `ran` / `compiled` at the end of a job. `recycle` asks to be
 * replaced (its WebAssembly memory grew past what an idle worker should keep).
 */
export type FromWorker =
  | { type: 'ready' }
  | { type: 'call'; index: number; args: string }
  | { type: 'ran'; id: number; result: SandboxResult; recycle: boolean }
  | { type: 'compiled'; id: number; error: SandboxError | null; recycle: boolean }

/** The `WorkerSetup.signal` slots. */
export const replySlot = 0
export const progressSlot = 1
export const signalSlots = 2

/** What the main thread hands a new worker. */
export interface WorkerSetup {
  wasmModule: WebAssembly.Module
  memoryPages: number
  /**
   * Int32Array over it: at `replySlot`, 0 while a host call is out, 1 once its reply is on
   * `replies`; at `progressSlot`, a count the guest's every interrupt check adds to (QuickJS
   * makes one every few thousand operations), by which the main thread tells a run that goes on
   * from one stuck inside QuickJS's C code.
   */
  signal: SharedArrayBuffer
  /** Host call answers, main → worker. */
  replies: MessagePort
  /** Everything the worker says (`FromWorker`), worker → main: read at once by a main thread that waits awake. */
  toMain: MessagePort
  /** How long the worker waits awake for its next job or a host call's answer (`AdaptiveSpin`). */
  spinMs: number
}

/**
 * Waking a sleeping thread is what a hand-off between threads costs most: measured on a 2-core
 * virtual machine, ~85 µs of the waker's time per wake, twice per block run, against ~0.1 ms
 * for the block itself. So each side waits awake, briefly, where the other's answer has been
 * coming soon (`AdaptiveSpin`): a worker for its next job and for a host call's answer, for
 * `spinMs`; the main thread for the run it just handed over, for half that, and only while it
 * is the only run in flight, so that a busy server spends no time this way. On a machine whose
 * cores are all taken, a wait awake only delays the thread it waits for: such waits fail, and
 * stop being tried.
 */
export const defaultSpinMs = 1

/**
 * Whether to wait awake, learned from the last waits: after one that ended without its answer,
 * the next `backoff` waits are skipped (doubling, up to 64, while they keep failing); after one
 * that got it, every wait is tried again.
 */
export class AdaptiveSpin {
  private skip = 0
  private backoff = 1

  /** Polls `done` for up to `ms`, unless waits are being skipped; whether it became true. */
  wait(ms: number, done: () => boolean): boolean {
    if (ms <= 0) {
      return false
    }
    if (this.skip > 0) {
      this.skip -= 1
      return false
    }
    if (spinUntil(ms, done)) {
      this.backoff = 1
      return true
    }
    this.skip = this.backoff
    this.backoff = Math.min(this.backoff * 2, 64)
    return false
  }
}

/** Polls between two looks at the clock: a poll takes well under a microsecond. */
const pollsPerClockRead = 64

/**
 * Polls `done` until it is true or `ms` have passed; whether it became true. The clock is read
 * once every `pollsPerClockRead` polls, not at each: without the optimizing compiler (`npm start`
 * runs with `--max-opt=2`), each read allocates its result, and a thread that spun this way went
 * through its young generation every 4 ms, each collection a pause in the block it was running.
 */
export function spinUntil(ms: number, done: () => boolean): boolean {
  const until = performance.now() + ms
  for (let polls = 1; ; polls++) {
    if (done()) {
      return true
    }
    if (polls % pollsPerClockRead === 0 && performance.now() >= until) {
      return false
    }
  }
}
