// pino, with secrets redacted: webhook URL secrets, auth headers, cookies, and every field a provider
// marks secret (from the definitions, so a new provider needs no edit here).
import pino from 'pino';
import { providers, secretFields } from '@bundles/nodes';

export function redactUrl(url: string): string {
  return url.replace(/^(\/hooks\/[^/?]+\/)[^/?]+/, '$1***');
}

/** Log paths that may carry a secret: request credentials and each provider's secret config fields. */
export function redactedPaths(): string[] {
  const fields = [...new Set(providers.flatMap((p) => secretFields(p)))].sort();
  return [
    'req.headers.authorization',
    'req.headers.cookie',
    'headers.authorization',
    'headers.cookie',
    'password',
    ...fields.flatMap((f) => [`config.${f}`, `connection.config.${f}`]),
  ];
}

export function createLogger(level: string) {
  return pino({
    level,
    base: { pid: process.pid },
    redact: { paths: redactedPaths(), censor: '***' },
    serializers: {
      req: (req: { method: string; url: string; id: string }) => ({ method: req.method, url: redactUrl(req.url), id: req.id }),
    },
  });
}
