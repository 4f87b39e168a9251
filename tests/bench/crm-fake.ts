// W2's local CRM: POST /orders with a JSON order answers 201 and counts the order by its id, as the
// fake Twilio counts SMS (first receive time per key, deliveries per key). Loopback only.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

export interface CountingFake {
  url: string;
  /** Receives in order: the key and performance.now() of this process. */
  messages: Array<{ key: string; at: number }>;
  /** Receives per key: 1 = once, 2+ = doubled, absent = lost. */
  deliveries: Map<string, number>;
  close(): Promise<void>;
}

/** The local CRM; `Idempotency-Key` is recorded as it comes, never used to drop a repeat (a repeat counts as doubled). */
export async function startCrmFake(): Promise<CountingFake> {
  const fake: Omit<CountingFake, 'url' | 'close'> = { messages: [], deliveries: new Map() };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let order: { orderId?: unknown } | null = null;
      try {
        order = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { orderId?: unknown };
      } catch {
        order = null;
      }
      if (req.method !== 'POST' || req.url !== '/orders' || typeof order?.orderId !== 'string') {
        res.writeHead(400, { 'content-type': 'application/json' });
        return res.end('{"error":"POST /orders with a JSON body carrying orderId"}');
      }
      const key = order.orderId;
      fake.messages.push({ key, at: performance.now() });
      fake.deliveries.set(key, (fake.deliveries.get(key) ?? 0) + 1);
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: fake.messages.length, orderId: key }));
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    ...fake,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * An event counts as delivered when it reached every fake, at the time of its last first receive;
 * its count is the largest of its counts (doubled when any call was repeated). Read incrementally.
 */
export class AllOf {
  readonly messages: Array<{ key: string; at: number }> = [];
  private readonly seen: number[];
  private readonly firsts: Array<Map<string, number>>;
  constructor(private readonly fakes: ReadonlyArray<Pick<CountingFake, 'messages' | 'deliveries'>>) {
    this.seen = fakes.map(() => 0);
    this.firsts = fakes.map(() => new Map());
  }
  /** Appends the events that became complete since the last call to `messages`. */
  update(): void {
    this.fakes.forEach((fake, i) => {
      const first = this.firsts[i]!;
      for (; this.seen[i]! < fake.messages.length; this.seen[i]!++) {
        const m = fake.messages[this.seen[i]!]!;
        if (first.has(m.key)) continue;
        first.set(m.key, m.at);
        const ats = this.firsts.map((f) => f.get(m.key));
        if (ats.every((at) => at !== undefined)) this.messages.push({ key: m.key, at: Math.max(...(ats as number[])) });
      }
    });
  }
  get deliveries(): Map<string, number> {
    const out = new Map<string, number>();
    const [head, ...rest] = this.fakes;
    for (const [key, n] of head?.deliveries ?? []) {
      const counts = rest.map((f) => f.deliveries.get(key));
      if (counts.every((c) => c !== undefined)) out.set(key, Math.max(n, ...(counts as number[])));
    }
    return out;
  }
}
