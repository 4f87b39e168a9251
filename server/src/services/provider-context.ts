// What provider code outside a run gets (Test connection, option lists, replies): the connection, HTTP,
// the shared rate limiter and the connection's delivery log in short.
import type pg from 'pg';
import { createHttpClient, type ConnectionContext, type Logger, type ProviderContext, type RateLimiter } from '@bundles/nodes';
import { deliverySummary } from '../runtime/deliveries.js';

const http = createHttpClient({ timeoutMs: 15_000 });

export function providerContext(deps: { pool: pg.Pool; limiter: RateLimiter; log: Logger }, connection: ConnectionContext): ProviderContext<Record<string, unknown>> {
  return { connection, http, limiter: deps.limiter, log: deps.log, deliveries: () => deliverySummary(deps.pool, connection.id) };
}
