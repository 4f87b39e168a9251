// Prometheus metrics (prom-client): events, runs, step durations, queue lag, webhook answer latency.
import client from 'prom-client';
import type pg from 'pg';
import type { RuntimeHooks } from './runtime/index.js';
import type { IngestResult } from './runtime/ingest.js';
import type { Lane } from './runtime/lane.js';
import { runTask } from './runtime/queue.js';
import { partitionDaysAhead } from './runtime/partitions.js';

export interface Metrics {
  registry: client.Registry;
  hooks: RuntimeHooks;
  observeWebhook(result: IngestResult, ms: number, status: number): void;
  /** The lane of this process (role all), whose runs never wait in the queue. */
  watchLane(lane: Lane | null): void;
}

const openRunsSql = `
select case when j.locked_at is not null then 'running' when j.run_at > now() then 'waiting' else 'queued' end as status, count(*)::int as n
from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
where t.identifier = '${runTask}' and j.attempts < j.max_attempts
group by 1
union all select 'parked', count(*)::int from runs where parked
union all select 'uncertain', count(*)::int from uncertain_runs`;

/** A metric's labelled child, made once per label set: prom-client hashes the labels on every call otherwise. */
function childOf<C>(make: (...values: string[]) => C): (...values: string[]) => C {
  const made = new Map<string, C>();
  return (...values) => {
    const key = values.join('\u0000');
    let child = made.get(key);
    if (!child) made.set(key, (child = make(...values)));
    return child;
  };
}

export function createMetrics(pool: pg.Pool): Metrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'bundles_process_' });
  const events = new client.Counter({ name: 'bundles_events_received_total', help: 'Provider events stored', registers: [registry] });
  const duplicates = new client.Counter({ name: 'bundles_events_deduplicated_total', help: 'Repeated deliveries counted, not run again', registers: [registry] });
  const runsCreated = new client.Counter({ name: 'bundles_runs_created_total', help: 'Runs created by ingest', registers: [registry] });
  const runsFinished = new client.Counter({ name: 'bundles_runs_finished_total', help: 'Runs finished, by status', labelNames: ['status'], registers: [registry] });
  const stepSeconds = new client.Histogram({
    name: 'bundles_step_duration_seconds',
    help: 'Step execution time, by node type and status',
    labelNames: ['node_type', 'status'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const webhookSeconds = new client.Histogram({
    name: 'bundles_webhook_answer_seconds',
    help: 'Time to answer a webhook (stored and acknowledged), by outcome',
    labelNames: ['outcome'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [registry],
  });
  new client.Gauge({
    name: 'bundles_queue_lag_seconds',
    help: 'Age of the oldest job waiting to run (0 when none)',
    registers: [registry],
    async collect() {
      const { rows } = await pool.query(
        `select coalesce(extract(epoch from now() - min(run_at)), 0)::float as lag
         from graphile_worker._private_jobs where locked_at is null and run_at <= now() and attempts < max_attempts`,
      );
      this.set(Number(rows[0]?.lag ?? 0));
    },
  });
  new client.Gauge({
    name: 'bundles_runs',
    help: 'Runs not finished, by state: queued, running, waiting (a delay or a retry), parked (behind an earlier run of its conversation), uncertain (for a person to settle)',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      // From the job queue and two small sets, never the runs table itself (it grows with history).
      const { rows } = await pool.query(openRunsSql);
      this.reset();
      for (const status of ['queued', 'running', 'waiting', 'parked', 'uncertain']) this.set({ status }, 0);
      for (const r of rows) this.set({ status: r.status }, r.n);
    },
  });
  new client.Gauge({
    name: 'bundles_partition_days_ahead',
    help: 'Days after today that every partitioned table has a day partition for (alert below 2: the maintenance sweep is not making them)',
    registers: [registry],
    async collect() {
      this.set(await partitionDaysAhead(pool));
    },
  });
  let lane: Lane | null = null;
  new client.Gauge({
    name: 'bundles_lane_runs',
    help: 'Runs taken straight from ingest by this process (role all), executing or waiting for a place',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const { running, waiting } = lane?.stats() ?? { running: 0, waiting: 0 };
      this.set({ state: 'running' }, running);
      this.set({ state: 'waiting' }, waiting);
    },
  });
  const stepChild = childOf((nodeType, status) => stepSeconds.labels({ node_type: nodeType, status }));
  const finishedChild = childOf((status) => runsFinished.labels({ status }));
  const webhookChild = childOf((outcome) => webhookSeconds.labels({ outcome }));
  return {
    registry,
    watchLane(l) {
      lane = l;
    },
    hooks: {
      onIngested(result) {
        if (result.events) events.inc(result.events);
        if (result.duplicates) duplicates.inc(result.duplicates);
        if (result.runIds.length) runsCreated.inc(result.runIds.length);
      },
      onStepFinished(nodeType, status, ms) {
        stepChild(nodeType, status).observe(ms / 1000);
      },
      onRunFinished(status) {
        finishedChild(status).inc();
      },
    },
    observeWebhook(result, ms) {
      webhookChild(result.outcome).observe(ms / 1000);
    },
  };
}
