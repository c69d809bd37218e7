/**
 * Prometheus metrics of the decision service (served at /metrics): decision latency, outcomes, rule hits, group
 * commit batch sizes, refusals by code. One registry per service instance, so tests can run several.
 */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class DecisionMetrics {
  readonly registry = new Registry();
  readonly latency = new Histogram({
    name: 'fedrisk_decision_latency_seconds',
    help: 'Time from a parsed request to its durable decision',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly outcomes = new Counter({
    name: 'fedrisk_decisions_total',
    help: 'Decisions by outcome',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly ruleHits = new Counter({
    name: 'fedrisk_rule_hits_total',
    help: 'Rule hits by rule id and action',
    labelNames: ['rule', 'action'] as const,
    registers: [this.registry],
  });
  readonly refusals = new Counter({
    name: 'fedrisk_requests_refused_total',
    help: 'Requests refused, by error code',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });
  readonly commitBatch = new Histogram({
    name: 'fedrisk_commit_batch_size',
    help: 'Decisions per group commit',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
    registers: [this.registry],
  });
  readonly commitSeconds = new Histogram({
    name: 'fedrisk_commit_seconds',
    help: 'Duration of one group commit',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'fedrisk_' });
  }

  observeCommit(size: number, ms: number): void {
    this.commitBatch.observe(size);
    this.commitSeconds.observe(ms / 1000);
  }
}
