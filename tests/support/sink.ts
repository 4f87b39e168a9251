// A local HTTP sink that records what it receives and answers as scripted.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SinkRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

export interface Sink {
  url: string;
  requests: SinkRequest[];
  /** Answers for the next requests, in order; afterwards 200 {"ok":true}. */
  script: Array<{ status: number; headers?: Record<string, string>; body?: string; hang?: boolean; /** Answered only once this settles. */ gate?: Promise<unknown> }>;
  close(): Promise<void>;
}

export async function startSink(): Promise<Sink> {
  const requests: SinkRequest[] = [];
  const script: Sink['script'] = [];
  const hanging = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      requests.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
      const next = script.shift();
      if (next?.hang) {
        hanging.add(res);
        return;
      }
      const answer = () => {
        res.writeHead(next?.status ?? 200, { 'content-type': 'application/json', ...next?.headers });
        res.end(next?.body ?? '{"ok":true}');
      };
      if (next?.gate) void next.gate.then(answer, answer);
      else answer();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    script,
    close: () =>
      new Promise<void>((r) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
