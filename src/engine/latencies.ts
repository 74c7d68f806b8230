import { Histogram } from 'prom-client'

/** Upper bounds of the latency buckets, in seconds: 0.5 ms to 10 s. */
const latencyBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

/** One latency series: `observe` takes seconds. */
export interface LatencyObserver {
  observe(seconds: number): void
}

/**
 * What the engine times, as Prometheus histograms of its own (each engine, hence each process,
 * has its own; a server's `/metrics` registers them, see server/metrics.ts).
 */
export interface EngineLatencies {
  /** A first evaluation: an action proposed to its proposal's first evaluation done. */
  firstEvaluation: LatencyObserver
  /** A re-check of a pending proposal (a vote, the sweep, a webhook). */
  recheck: LatencyObserver
  /** From a vote recorded to the proposal decided, when that vote's re-check decided it. */
  voteToDecision: LatencyObserver
  /** The histograms behind them, for a registry. */
  histograms: Histogram[]
}

export function createEngineLatencies(): EngineLatencies {
  const evaluation = new Histogram({
    name: 'policykit_evaluation_seconds',
    help: 'How long an evaluation took in this process: a first evaluation (the action proposed to its proposal evaluated) or a re-check of a pending proposal',
    labelNames: ['kind'] as const,
    buckets: latencyBuckets,
    registers: [],
  })
  const voteToDecision = new Histogram({
    name: 'policykit_vote_to_decision_seconds',
    help: "From a vote recorded to the proposal decided, when that vote's re-check in this process decided it",
    buckets: latencyBuckets,
    registers: [],
  })
  // Both series shown from the start, at zero.
  evaluation.zero({ kind: 'first' })
  evaluation.zero({ kind: 'recheck' })
  return {
    // Bound to their label once: an observation then looks nothing up.
    firstEvaluation: evaluation.labels('first'),
    recheck: evaluation.labels('recheck'),
    voteToDecision,
    histograms: [evaluation, voteToDecision],
  }
}

/** Seconds since `start`, a `performance.now()` reading. */
export function secondsSince(start: number): number {
  return (performance.now() - start) / 1000
}
