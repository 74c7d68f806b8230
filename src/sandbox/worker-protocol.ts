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

/** What the main thread hands a new worker. */
export interface WorkerSetup {
  wasmModule: WebAssembly.Module
  memoryPages: number
  /** Int32Array over it: 0 while a host call is out, 1 once its reply is on `replies`. */
  signal: SharedArrayBuffer
  replies: MessagePort
}
