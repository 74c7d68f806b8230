import type { QuickJSContext, QuickJSHandle } from 'quickjs-emscripten-core'
import type { JsonValue } from '../domain/json.ts'
import type { SandboxError, SandboxErrorKind, SandboxResult } from './sandbox.ts'

/** The state of one run inside a worker, shared with the interrupt handler and the host bridge. */
export interface RunState {
  block: string
  /** Lines in the body: an error past its end (an unclosed bracket) is shown on the last. */
  lines: number
  hostCallsLeft: number
  hostCallLimit: number
  budgetExceeded: boolean
  /**
   * `performance.now()` past which the interrupt handler looks at the CPU time the run used
   * (and stops the guest if it is past `cpuMs`); host calls push it.
   */
  deadline: number
  cpuMs: number
  /** The thread's CPU time, in ms, when the run began. */
  cpuStart: number
  /** Time the run's host calls took, in ms: not the guest's. */
  hostMs: number
  interrupted: boolean
}

/** Only ever given text that JSON.stringify produced. */
export const parseJson: (text: string) => JsonValue = JSON.parse

function lineIn(stack: string, block: string): number | undefined {
  for (const frame of stack.split('\n')) {
    const match = /\(?([^()]*):(\d+):\d+\)?\s*$/.exec(frame.trim())
    if (match?.[1] !== undefined && match[2] !== undefined) {
      const file = match[1].replace(/^at /, '')
      if (file === block) {
        return Number(match[2])
      }
    }
  }
  return undefined
}

interface GuestError {
  name?: string
  message?: string
  stack?: string
  thrown?: string
}

function isGuestError(value: unknown): value is GuestError {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export function failure(run: RunState, kind: SandboxErrorKind, message: string, line?: number): SandboxResult {
  const error: SandboxError = { kind, message, block: run.block }
  if (line !== undefined) {
    error.line = Math.min(line, run.lines)
  }
  return { ok: false, error }
}

function budgetFailure(run: RunState): SandboxResult {
  return failure(run, 'host_call_budget', `more than ${run.hostCallLimit} host function calls`)
}

function cpuFailure(run: RunState): SandboxResult {
  return failure(run, 'timeout', `exceeded ${run.cpuMs} ms of CPU time`)
}

/** The run's outcome as the prelude encoded it: `u`, `v<json>` or `e<json>`. */
export function decodeOutcome(run: RunState, encoded: string): SandboxResult {
  if (run.budgetExceeded) {
    return budgetFailure(run)
  }
  if (run.interrupted) {
    return cpuFailure(run)
  }
  const tag = encoded[0]
  if (tag === 'u') {
    return { ok: true, value: undefined }
  }
  const parsed = parseJson(encoded.slice(1))
  if (tag === 'v') {
    return { ok: true, value: parsed }
  }
  return guestFailure(run, isGuestError(parsed) ? parsed : {})
}

function guestFailure(run: RunState, error: GuestError): SandboxResult {
  if (error.thrown !== undefined) {
    return error.thrown === 'null'
      ? failure(run, 'runtime', 'null was thrown (possibly out of memory)')
      : failure(run, 'runtime', error.thrown)
  }
  const name = error.name ?? ''
  const message = error.message ?? ''
  const line = lineIn(error.stack ?? '', run.block)
  if (name === 'InternalError' && message === 'out of memory') {
    return failure(run, 'memory', 'out of memory', line)
  }
  if (name === 'InternalError' && message === 'stack overflow') {
    return failure(run, 'stack', 'stack overflow (too much recursion)', line)
  }
  const text = name === '' || name === 'Error' ? message : `${name}: ${message}`
  return failure(run, 'runtime', text, line)
}

/**
 * An exception the engine raised outside the guest's own error handling: a syntax error, an
 * interrupt, or running out of memory or stack in the entry or a promise job. Only own data
 * properties of engine-made errors are read, so no guest getter runs here; `parsing` is true
 * when the error came before any guest code ran.
 */
export function engineError(
  context: QuickJSContext,
  run: RunState,
  error: QuickJSHandle,
  parsing: boolean,
): SandboxResult {
  if (run.budgetExceeded) {
    return budgetFailure(run)
  }
  if (run.interrupted) {
    return cpuFailure(run)
  }
  if (context.typeof(error) !== 'object') {
    return failure(run, 'memory', 'out of memory')
  }
  const read = (key: string): string =>
    context.getProp(error, key).consume((value) => (context.typeof(value) === 'string' ? context.getString(value) : ''))
  const message = read('message')
  const line = lineIn(read('stack'), run.block)
  if (message === 'out of memory') {
    return failure(run, 'memory', message, line)
  }
  if (message === 'stack overflow') {
    // The parser recurses per level of nesting: code nested that deep does not compile.
    return parsing
      ? failure(run, 'syntax', 'nested too deeply to compile (stack overflow in the parser)', line)
      : failure(run, 'stack', 'stack overflow (too much recursion)', line)
  }
  return failure(run, parsing ? 'syntax' : 'runtime', message, line)
}

/** The outcome handle of the run entry (a string, or a promise of one), once jobs are drained. */
export function readOutcome(context: QuickJSContext, run: RunState, outcome: QuickJSHandle): SandboxResult {
  const state = context.getPromiseState(outcome)
  if (run.interrupted || run.budgetExceeded) {
    if (state.type === 'rejected') {
      state.error.dispose()
    } else if (state.type === 'fulfilled' && state.notAPromise !== true) {
      state.value.dispose()
    }
    return decodeOutcome(run, 'u')
  }
  if (state.type === 'pending') {
    return failure(run, 'runtime', 'block did not finish: it awaits a promise that never settles')
  }
  if (state.type === 'rejected') {
    return state.error.consume((error) => engineError(context, run, error, false))
  }
  const encoded =
    state.notAPromise === true
      ? context.typeof(outcome) === 'string'
        ? context.getString(outcome)
        : null
      : state.value.consume((value) => (context.typeof(value) === 'string' ? context.getString(value) : null))
  if (encoded === null) {
    return failure(run, 'runtime', 'the block broke out of its function body')
  }
  return decodeOutcome(run, encoded)
}
