// Property tests of what the server accepts for storage. decodeWebhookBody (webhook-body.ts) never
// throws, whatever the bytes and content type, and what it accepts passes unstorableReason. And against
// a real PostgreSQL: unstorableReason (storable.ts) agrees with what json_to_recordset, fed sqlJson
// (sql-json.ts) as the ingest statement feeds it, can actually store in a json column.
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { createTestDatabase } from '../testing.js';
import { sqlJson } from './sql-json.js';
import { storableText, unstorableReason } from './storable.js';
import { decodeWebhookBody } from './webhook-body.js';

// ---------------------------------------------------------------------------------------------
// Generators.

const hostileChars = ['\u0000', '\uD800', '\uDBFF', '\uDC00', '\uDFFF', '\uD83D\uDE00', '\uFFFD', '\uFFFF', '\uFEFF', '\u202E', 'é', '\n', '"', '\\'];
const char = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...'abcxyz019 _-.:{}[],=&%+') },
  { weight: 2, arbitrary: fc.constantFrom(...hostileChars) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xffff }).map((n) => String.fromCharCode(n)) },
);
/** Text with NUL, unpaired surrogates (high, low, reversed pairs), real pairs and noncharacters now and then. */
const text = fc.oneof(
  { weight: 8, arbitrary: fc.string({ unit: char, maxLength: 12 }) },
  { weight: 2, arbitrary: fc.constantFrom('', 'a\u0000b', '\u0000', 'x\uD800', '\uDC00y', '\uDC00\uD800', '\uD83D\uDE00', '\\u0000', '\\ud800', '1e309', '__proto__') },
);

/** A JSON value with hostile text in keys and values, a few levels deep. */
const value: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', maxDepth: 4 },
    text,
    fc.oneof(fc.integer(), fc.double(), fc.constantFrom(0, -0, 1e308, 5e-324, Number.MAX_SAFE_INTEGER + 2)),
    fc.constantFrom(true, false, null),
    fc.array(tie('v'), { maxLength: 4 }),
    fc.array(fc.tuple(text, tie('v')), { maxLength: 4 }).map((pairs) => Object.fromEntries(pairs)),
  ),
})).v;
/** That value wrapped in `levels` arrays or objects: nesting up to about 100. */
const nestedValue = fc
  .tuple(value, fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 0, max: 10 }) }, { weight: 2, arbitrary: fc.integer({ min: 55, max: 105 }) }), fc.boolean())
  .map(([v, levels, asObject]) => {
    let out = v;
    for (let i = 0; i < levels; i++) out = asObject ? { a: out } : [out];
    return out;
  });

/** JSON as a sender writes it: the value's text, or `[[[…]]]` thousands deep, or text that is almost JSON. */
const jsonText = fc.oneof(
  { weight: 6, arbitrary: nestedValue.map((v) => JSON.stringify(v) ?? 'null') },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 5_000 }).map((n) => '['.repeat(n) + ']'.repeat(n)) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 3_000 }).map((n) => '{"a":'.repeat(n) + 'null' + '}'.repeat(n)) },
  { weight: 1, arbitrary: fc.constantFrom('', '{', '[1,]', '{"a":1}x', 'NaN', '1e309', '-1e309', '"\\ud800"', '{"\\u0000":1}', '"\\u0000"', '[0x10]', '\uFEFF{}') },
);
const formText = fc.oneof(
  { weight: 4, arbitrary: fc.array(fc.tuple(text, text, fc.boolean()), { maxLength: 12 }).map((ps) => ps.map(([k, v, raw]) => (raw ? `${k}=${v}` : `${encodeURIComponent(storableText(k))}=${encodeURIComponent(storableText(v))}`)).join('&')) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(999, 1_000, 1_001, 5_000), fc.constantFrom('a=&', 'a&', '&', 'a=%00&')).map(([n, pair]) => pair.repeat(n)) },
  { weight: 1, arbitrary: fc.constantFrom('%', '%ZZ', '%00=%00', '%ED%A0%80', '%C0%80=1', 'a=%F0%9F%98', '=', '&&&') },
);
const bytes = fc.oneof(
  { weight: 3, arbitrary: jsonText.map((t) => Buffer.from(t, 'utf8')) },
  { weight: 2, arbitrary: formText.map((t) => Buffer.from(t, 'utf8')) },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)) },
  { weight: 1, arbitrary: fc.constantFrom(Buffer.alloc(0), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from([0x22, 0x00, 0x22]), Buffer.from([0xff, 0xfe])) },
);
const contentType = fc.oneof(
  fc.constantFrom('application/json', 'application/x-www-form-urlencoded', 'APPLICATION/JSON; charset=utf-8', 'application/x-www-form-urlencoded; charset=latin1', 'text/plain', '', 'application/vnd.api+json', 'multipart/form-data'),
  fc.string({ maxLength: 30 }),
);

// ---------------------------------------------------------------------------------------------

describe('decodeWebhookBody', () => {
  it('never throws for 10,000 generated bodies and content types; what it accepts is storable, what it refuses is a 400, 413 or 422 with a storable reason', () => {
    fc.assert(
      fc.property(bytes, contentType, (raw, type) => {
        const decoded = decodeWebhookBody(raw, type);
        if (decoded.ok) {
          expect(unstorableReason(decoded.body, { nulInValues: 'refuse' })).toBeNull();
        } else {
          expect([400, 413, 422]).toContain(decoded.status);
          expect(typeof decoded.reason).toBe('string');
          expect(decoded.reason).not.toBe('');
          expect(unstorableReason(decoded.reason, { nulInValues: 'refuse' })).toBeNull();
        }
      }),
      { numRuns: 10_000 },
    );
  });
});

describe('unstorableReason against PostgreSQL', () => {
  const runs = 300;
  let client: pg.Client;

  beforeAll(async () => {
    client = new pg.Client({ connectionString: await createTestDatabase(inject('pgBaseUrl'), inject('pgTemplate')) });
    await client.connect();
    await client.query('create temp table stored (v json)');
  });
  afterAll(async () => {
    await client?.end();
  });

  /** Stores the value as ingest does (one json_to_recordset row, a json column) and reads it back; the error when PostgreSQL refuses. */
  async function store(v: unknown): Promise<{ ok: true; readBack: unknown } | { ok: false; error: string }> {
    try {
      await client.query('truncate stored');
      await client.query('insert into stored (v) select v from json_to_recordset($1::json) as x(v json)', [sqlJson([{ v }])]);
      const { rows } = await client.query<{ v: string | null }>('select v::text as v from stored');
      return { ok: true, readBack: rows[0]?.v == null ? null : JSON.parse(rows[0].v) };
    } catch (err) {
      return { ok: false, error: (err as Error).message };
    }
  }

  it(`a value it finds nothing wrong with (NUL in text values allowed, as sqlJson replaces it) is stored and reads back as sqlJson wrote it (${runs} values)`, async () => {
    await fc.assert(
      fc.asyncProperty(nestedValue, async (v) => {
        if (unstorableReason(v, { nulInValues: 'replace' }) !== null) return;
        const stored = await store(v);
        expect(stored).toEqual({ ok: true, readBack: JSON.parse(sqlJson([{ v }]))[0].v ?? null });
      }),
      { numRuns: runs },
    );
  });

  // Depth is a bound of ours (webhookLimits.depth), far below where PostgreSQL's recursive parser gives up: not part of this property.
  it(`a text it reports a problem with (NUL in a field name, an unpaired surrogate) is refused by PostgreSQL too (${runs} values)`, async () => {
    await fc.assert(
      fc.asyncProperty(nestedValue, async (v) => {
        const problem = unstorableReason(v, { nulInValues: 'replace', maxDepth: Infinity });
        if (problem === null) return;
        const stored = await store(v);
        expect({ problem, stored: stored.ok ? 'stored' : 'refused' }).toEqual({ problem, stored: 'refused' });
      }),
      { numRuns: runs },
    );
  });

  it('a NUL in text values, which webhook bodies refuse, is stored as U+FFFD under sqlJson', async () => {
    const v = { text: 'bad \u0000 byte', list: ['\u0000'] };
    expect(unstorableReason(v, { nulInValues: 'refuse' })).toMatch(/NUL character/);
    expect(unstorableReason(v, { nulInValues: 'replace' })).toBeNull();
    expect(await store(v)).toEqual({ ok: true, readBack: { text: 'bad \uFFFD byte', list: ['\uFFFD'] } });
  });
});
