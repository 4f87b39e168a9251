// Provider calls made for the API (Test connection, option lists, replies): the runtime's provider context
// with an HTTP client of the API's own (15 s timeout).
import type pg from 'pg';
import { createHttpClient, type ConnectionContext, type Logger, type ProviderContext, type RateLimiter } from '@bundles/nodes';
import { providerContext as runtimeProviderContext } from '../runtime/provider-context.js';

const http = createHttpClient({ timeoutMs: 15_000 });

export function providerContext(deps: { pool: pg.Pool; limiter: RateLimiter; log: Logger }, connection: ConnectionContext): ProviderContext<Record<string, unknown>> {
  return runtimeProviderContext({ ...deps, http }, connection);
}
