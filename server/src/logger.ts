// pino, with secrets redacted: webhook URL secrets, auth headers, cookies, and every field a provider
// marks secret (from the definitions, so a new provider needs no edit here).
import pino from 'pino';
import pretty from 'pino-pretty';
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

export type LogFormat = 'json' | 'pretty';

/** JSON lines, unless a person reads the terminal: `LOG_FORMAT=json|pretty` decides, else whether stdout is a TTY. */
export function logFormatOf(env: NodeJS.ProcessEnv, isTty: boolean): LogFormat {
  if (env.LOG_FORMAT === 'json' || env.LOG_FORMAT === 'pretty') return env.LOG_FORMAT;
  return isTty ? 'pretty' : 'json';
}

export function createLogger(level: string, format: LogFormat = 'json', destination?: NodeJS.WritableStream) {
  const options: pino.LoggerOptions = {
    level,
    base: { pid: process.pid },
    redact: { paths: redactedPaths(), censor: '***' },
    serializers: {
      req: (req: { method: string; url: string; id: string }) => ({ method: req.method, url: redactUrl(req.url), id: req.id }),
    },
  };
  if (format === 'json') return destination ? pino(options, destination as pino.DestinationStream) : pino(options);
  // A short line for a person: time, level, message, then the fields that matter (redaction applies first).
  const stream = pretty({ colorize: !destination, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname,reqId', singleLine: true, sync: true, ...(destination ? { destination } : {}) });
  return pino(options, stream);
}
