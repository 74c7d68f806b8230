export interface TimerHandle {
  cancel(): void
}

/** Time for everything that schedules; tests pass a fake one and move it, never sleep. */
export interface Clock {
  now(): number
  setTimer(ms: number, fn: () => void): TimerHandle
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(ms, fn) {
    const handle = setTimeout(fn, ms)
    handle.unref()
    return { cancel: () => clearTimeout(handle) }
  },
}
