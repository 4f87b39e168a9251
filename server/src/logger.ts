// pino, with secrets redacted: webhook URL secrets, auth headers, cookies, connection configs.
import pino from 'pino';

export function redactUrl(url: string): string {
  return url.replace(/^(\/hooks\/[^/?]+\/)[^/?]+/, '$1***');
}

export function createLogger(level: string) {
  return pino({
    level,
    base: { pid: process.pid },
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'headers.authorization',
        'headers.cookie',
        'config.authToken',
        'config.apiKey',
        'config.accessToken',
        'config.appSecret',
        'config.clientSecret',
        'config.webhookSecret',
        'config.mgToken',
        'config.secret',
        'password',
      ],
      censor: '***',
    },
    serializers: {
      req: (req: { method: string; url: string; id: string }) => ({ method: req.method, url: redactUrl(req.url), id: req.id }),
    },
  });
}
