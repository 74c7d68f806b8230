/** Upper bounds of the latency buckets, in seconds: 0.5 ms to 10 s. */
export const latencyBuckets: readonly number[] = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
]

/**
 * A Prometheus-style histogram kept as plain counters, so that an observation is a few number
 * writes (no label lookup, no allocation): the engine observes on its hot path.
 */
export class LatencyHistogram {
  /** Observations per bucket (not cumulative); the last slot is past the largest bound. */
  readonly counts = new Float64Array(latencyBuckets.length + 1)
  sum = 0
  count = 0

  observe(seconds: number): void {
    let i = 0
    while (i < latencyBuckets.length && seconds > (latencyBuckets[i] ?? Infinity)) {
      i++
    }
    this.counts[i] = (this.counts[i] ?? 0) + 1
    this.sum += seconds
    this.count++
  }
}

/** What the engine times for `/metrics`; each engine has its own (each process exposes its own). */
export interface EngineLatencies {
  /** A first evaluation: an action proposed to its proposal's first evaluation done. */
  firstEvaluation: LatencyHistogram
  /** A re-check of a pending proposal (a vote, the sweep, a webhook). */
  recheck: LatencyHistogram
  /** From a vote recorded to the proposal decided, when that vote's re-check decided it. */
  voteToDecision: LatencyHistogram
}

export function createEngineLatencies(): EngineLatencies {
  return {
    firstEvaluation: new LatencyHistogram(),
    recheck: new LatencyHistogram(),
    voteToDecision: new LatencyHistogram(),
  }
}

/** Seconds since `start`, a `performance.now()` reading. */
export function secondsSince(start: number): number {
  return (performance.now() - start) / 1000
}
