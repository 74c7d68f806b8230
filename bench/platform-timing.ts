/**
 * The timing both platform parts of the bench share: waiting for a fake platform to receive a
 * call (timed to one turn of the event loop, as the fakes record no time of their own), and the
 * held-message loop with its warm-up and percentiles.
 */
import { performance } from 'node:perf_hooks'

/** How long the bench waits for a call the app should make before it gives up. */
export const giveUpMs = 10_000

/**
 * The first of `calls()` after the first `from` that `match` accepts, and when it was seen. The
 * list is looked at on every turn of the event loop; `eachTurn` runs between looks (a rig whose
 * app runs on a fake clock moves it with real time there); `describe` says what arrived instead.
 */
export async function firstCallAfter<C>(
  calls: () => readonly C[],
  from: number,
  what: string,
  match: (call: C) => boolean,
  options: { eachTurn?: () => Promise<void>; describe?: (since: readonly C[]) => string } = {},
): Promise<{ call: C; at: number }> {
  const start = performance.now()
  for (let i = from; ;) {
    const seen = calls()
    for (; i < seen.length; i++) {
      const call = seen[i]
      if (call !== undefined && match(call)) {
        return { call, at: performance.now() }
      }
    }
    if (performance.now() - start > giveUpMs) {
      const instead = options.describe?.(seen.slice(from)) ?? ''
      throw new Error(`bench: no ${what} within ${giveUpMs} ms${instead && `; received instead: ${instead}`}`)
    }
    await new Promise((resolve) => setImmediate(resolve))
    await options.eachTurn?.()
  }
}

export function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN
}

/**
 * A vote three voters decide: the first two click yes (each answered 200), then the time from the
 * deciding voter's click to the re-post `reposted(from)` finds among the calls from `from` on.
 */
export async function timeDecidingVote<V>(input: {
  voters: readonly [V, V, V]
  click: (voter: V) => Promise<{ status: number }>
  /** How many calls the fake platform has received so far. */
  callCount: () => number
  reposted: (from: number) => Promise<{ at: number }>
  settle: () => Promise<void>
}): Promise<number> {
  const [first, second, deciding] = input.voters
  for (const voter of [first, second]) {
    const click = await input.click(voter)
    if (click.status !== 200) {
      throw new Error(`bench: a vote click was answered ${click.status}`)
    }
  }
  await input.settle()
  const from = input.callCount()
  const start = performance.now()
  const [click, reposted] = await Promise.all([input.click(deciding), input.reposted(from)])
  if (click.status !== 200) {
    throw new Error(`bench: the deciding click was answered ${click.status}`)
  }
  const repostMs = reposted.at - start
  await input.settle()
  return repostMs
}

/** Medians and 99th percentiles of a held message's revert and of its re-post after the deciding vote. */
export interface HeldFigures {
  revertP50: number
  revertP99: number
  repostP50: number
  repostP99: number
}

/**
 * Runs `holdAndDecide` `warmUp` times unmeasured (at most `n`: a small run warms up no longer
 * than it measures), then `n` times measured.
 */
export async function timeHeldMessages(
  n: number,
  warmUp: number,
  holdAndDecide: (i: number) => Promise<{ revertMs: number; repostMs: number }>,
): Promise<HeldFigures> {
  for (let i = 0; i < Math.min(warmUp, n); i++) {
    await holdAndDecide(-1 - i)
  }
  const reverts: number[] = []
  const reposts: number[] = []
  for (let i = 0; i < n; i++) {
    const { revertMs, repostMs } = await holdAndDecide(i)
    reverts.push(revertMs)
    reposts.push(repostMs)
  }
  reverts.sort((a, b) => a - b)
  reposts.sort((a, b) => a - b)
  return {
    revertP50: percentile(reverts, 0.5),
    revertP99: percentile(reverts, 0.99),
    repostP50: percentile(reposts, 0.5),
    repostP99: percentile(reposts, 0.99),
  }
}
