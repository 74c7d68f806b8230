import type { Clock } from '../../src/scheduler/clock.ts'

export interface FakeClock extends Clock {
  /** Moves time forward, firing due timers in time order and letting their work finish. */
  advance(ms: number): Promise<void>
  /** Jumps to `ms` without firing anything; the next `advance` fires what became due. */
  set(ms: number): void
  /** Lets pending callbacks run, and waits for everything registered with `waitFor`. */
  settle(): Promise<void>
  /**
   * Work to wait for between timers beyond what a few turns of the event loop finish, such as
   * a job queue's `idle()` while its handlers talk to PostgreSQL.
   */
  waitFor(idle: () => Promise<void>): void
}

interface Timer {
  at: number
  seq: number
  fn: () => void
}

/** Only a runaway (a timer that keeps re-arming at zero delay) gets this far. */
const maxTimersPerAdvance = 100_000

export function fakeClock(startMs = Date.UTC(2026, 0, 1)): FakeClock {
  let now = startMs
  let seq = 0
  const timers = new Set<Timer>()
  const waiters: (() => Promise<void>)[] = []

  async function settle(): Promise<void> {
    for (let i = 0; i < 2; i++) {
      for (let turn = 0; turn < 5; turn++) {
        await new Promise<void>((resolve) => setImmediate(resolve))
      }
      for (const idle of waiters) {
        await idle()
      }
    }
  }

  function nextDue(until: number): Timer | undefined {
    let next: Timer | undefined
    for (const timer of timers) {
      if (timer.at <= until && (!next || timer.at < next.at || (timer.at === next.at && timer.seq < next.seq))) {
        next = timer
      }
    }
    return next
  }

  return {
    now: () => now,
    setTimer(ms, fn) {
      const timer: Timer = { at: now + Math.max(0, ms), seq: seq++, fn }
      timers.add(timer)
      return { cancel: () => timers.delete(timer) }
    },
    async advance(ms) {
      const target = now + ms
      await settle()
      for (let fired = 0; ; fired++) {
        if (fired >= maxTimersPerAdvance) {
          throw new Error('fakeClock: timers keep firing; a timer re-arms itself without delay')
        }
        const timer = nextDue(target)
        if (!timer) {
          break
        }
        timers.delete(timer)
        now = Math.max(now, timer.at)
        timer.fn()
        await settle()
      }
      now = Math.max(now, target)
      await settle()
    },
    set(ms) {
      now = ms
    },
    settle,
    waitFor(idle) {
      waiters.push(idle)
    },
  }
}
