// What provider code outside a run gets (Test connection, option lists, replies, exports): the connection,
// HTTP (reaching what its workspace allows), the shared rate limiter and the connection's delivery log in short.
import type pg from 'pg';
import { httpClientFor, type ConnectionContext, type HttpClient, type Logger, type ProviderContext, type RateLimiter } from '@bundles/nodes';
import { deliverySummary } from './deliveries.js';

export function providerContext(deps: { pool: pg.Pool; http: HttpClient; limiter: RateLimiter; log: Logger }, connection: ConnectionContext): ProviderContext<Record<string, unknown>> {
  return { connection, http: httpClientFor(connection.allowedHosts, deps.http), limiter: deps.limiter, log: deps.log, deliveries: () => deliverySummary(deps.pool, connection.id) };
}
