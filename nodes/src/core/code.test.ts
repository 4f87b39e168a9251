import { describe, expect, it } from 'vitest';
import { isControlResult, ProviderError } from '../define.js';
import { testActionContext } from '../testing.js';
import { coreCode } from './code.js';
import { runInSandbox, SandboxPool } from './sandbox.js';

// An order as a shop's webhook sends it (see PROVIDERS.md): what a code step typically reshapes.
const order = { id: 1042, status: 'paid', total: '59.90', customer: { name: 'Ana Souza', phone: '+55 (11) 99876-5432' }, items: [{ sku: 'TSHIRT-M', qty: 2, price: '19.95' }, { sku: 'MUG', qty: 1, price: '20.00' }] };

async function run(fields: Record<string, unknown>): Promise<{ result: unknown; logs: string[] }> {
  const config = coreCode.config.parse(fields);
  const out = await coreCode.execute(testActionContext({ provider: 'core', config, connection: {} }));
  if (isControlResult(out)) throw new Error('core.code answered a control result');
  return out;
}

async function failure(fields: Record<string, unknown>): Promise<ProviderError> {
  const err = await run(fields).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProviderError);
  return err as ProviderError;
}

describe('core.code', () => {
  it('returns a JSON value computed from its input', async () => {
    const out = await run({
      input: { order },
      code: 'const total = input.order.items.reduce((sum, i) => sum + i.qty * Number(i.price), 0);\nreturn { phone: input.order.customer.phone.replace(/[^0-9+]/g, ""), total, skus: input.order.items.map((i) => i.sku) };',
    });
    expect(out).toEqual({ result: { phone: '+5511998765432', total: 59.9, skus: ['TSHIRT-M', 'MUG'] }, logs: [] });
  });

  it('has the documented defaults, and returns null when the code returns nothing', async () => {
    const config = coreCode.config.parse({ code: 'const x = 1;' });
    expect(config).toEqual({ input: {}, code: 'const x = 1;', timeoutMs: 1000, memoryMb: 32 });
    expect(await run({ code: 'const x = 1;' })).toEqual({ result: null, logs: [] });
  });

  it('keeps its console lines with the step, bounded', async () => {
    const out = await run({ input: { order }, code: 'console.log("order", input.order.id, { status: input.order.status });\nconsole.warn("no coupon");\nconsole.error(new Error("x").message);\nreturn input.order.id;' });
    expect(out).toEqual({ result: 1042, logs: ['order 1042 {"status":"paid"}', '[warn] no coupon', '[error] x'] });

    // PostgreSQL stores neither NUL nor half a surrogate pair: they become U+FFFD.
    expect((await run({ code: 'console.log("a\\u0000b", "\\ud800");' })).logs).toEqual(['a\uFFFDb \uFFFD']);

    const many = await run({ code: 'for (let i = 0; i < 150; i++) console.log(String(i).padEnd(2000, "x"));\nreturn "done";' });
    expect(many.result).toBe('done');
    expect(many.logs).toHaveLength(101);
    expect(many.logs[0]).toBe(`0${'x'.repeat(999)}…`);
    expect(many.logs[100]).toBe('… 50 more console lines not kept (at most 100)');
  });

  it('names the line and column of a syntax error in the author’s code', async () => {
    const err = await failure({ code: 'const digits = input.phone\n  .replace(/\\D/g, "");\nreturn digits +;' });
    expect(err.code).toBe('code_error');
    expect(err.retryable).toBe(false);
    expect(err.message).toBe("SyntaxError: unexpected token in expression: ';' at line 3, column 16");
    // On the first line too, where the wrapper that makes the body a function stands before it.
    expect((await failure({ code: 'return 1 +;' })).message).toBe("SyntaxError: unexpected token in expression: ';' at line 1, column 11");
    expect((await failure({ code: 'if (input.ok) {\n  return 1;' })).message).toBe('SyntaxError: the code ends before a {, ( or [, a string or a comment it opened is closed, at line 2, column 12');
  });

  it('names the line and column of an error thrown at run time, and keeps the lines logged before it', async () => {
    const err = await failure({ input: { order }, code: 'console.log("checking", input.order.id);\nif (input.order.status === "paid") {\n  throw new Error("paid orders go to fulfilment");\n}' });
    expect(err.code).toBe('code_error');
    // QuickJS places a `throw new Error(…)` at the call's opening parenthesis.
    expect(err.message).toBe('Error: paid orders go to fulfilment at line 3, column 18');
    expect(err.output).toEqual({ logs: ['checking 1042'] });

    const typeError = await failure({ input: { order }, code: 'const coupon = input.order.coupon;\nreturn coupon.code;' });
    expect(typeError.message).toBe("TypeError: cannot read property 'code' of undefined at line 2, column 14");
    expect((await failure({ code: 'throw "no stock"' })).message).toBe('The code threw "no stock"');
  });

  it('stops a loop that never ends at its time limit, and the next call runs as usual', async () => {
    const started = Date.now();
    const err = await failure({ code: 'console.log("start");\nwhile (true) {}', timeoutMs: 200 });
    const took = Date.now() - started;
    expect(err.code).toBe('code_timeout');
    expect(err.message).toBe('The code was stopped after 200 ms, its time limit: look for a loop that never ends, or raise the time limit');
    expect(err.output).toEqual({ logs: ['start'] });
    expect(took).toBeGreaterThanOrEqual(190);
    expect(took).toBeLessThan(2000);
    expect(await run({ input: { n: 41 }, code: 'return input.n + 1;' })).toEqual({ result: 42, logs: [] });
  });

  it('stops code that holds more than its memory limit, and the next call runs as usual', async () => {
    const err = await failure({ code: 'const kept = [];\nwhile (true) kept.push(new Array(100000).fill(1));', memoryMb: 8 });
    expect(err.code).toBe('code_memory');
    expect(err.message).toBe('The code was stopped at its memory limit of 8 MB: keep less data at once, or raise the memory limit');
    // One allocation over the limit, too.
    expect((await failure({ code: 'return "x".repeat(64 * 1024 * 1024).length;' })).code).toBe('code_memory');
    // Well under a larger limit, the same allocation pattern passes.
    expect(await run({ code: 'const kept = [];\nfor (let i = 0; i < 20; i++) kept.push(new Array(100000).fill(1));\nreturn kept.length;', memoryMb: 64 })).toEqual({ result: 20, logs: [] });
  });

  it('ends deep recursion as an error at its line', async () => {
    const err = await failure({ code: 'function depth(n) {\n  return depth(n + 1) + 1;\n}\nreturn depth(0);' });
    expect(err.code).toBe('code_error');
    expect(err.message).toMatch(/^InternalError: stack overflow at line 2, column \d+$/);
  });

  it('has no I/O: no fetch, require, process, timers or modules', async () => {
    const out = await run({ code: 'return [typeof fetch, typeof XMLHttpRequest, typeof require, typeof process, typeof setTimeout, typeof std, typeof os, typeof Deno, typeof Bun];' });
    expect(out.result).toEqual(Array(9).fill('undefined'));
    const imported = await failure({ code: 'return import("node:fs");' });
    expect(imported.code).toBe('code_output');
    expect(imported.message).toContain('Promise');
  });

  it('refuses a result that is not JSON', async () => {
    for (const [code, says] of [
      ['return () => 1;', 'it returned function, which JSON cannot hold'],
      ['return 10n;', 'BigInt'],
      ['const o = { id: 1 };\no.self = o;\nreturn o;', 'circular'],
      ['return Promise.resolve(1);', 'returned a Promise'],
      ['return "x".repeat(300000);', 'more than 262144'],
    ] as const) {
      const err = await failure({ code });
      expect(err.code, code).toBe('code_output');
      expect(err.message, code).toContain(says);
    }
  });

  it('runs each call in a fresh context: nothing one call sets is seen by the next', async () => {
    await run({ code: 'globalThis.leak = "secret"; JSON.stringify = () => "x"; return 1;' });
    expect(await run({ code: 'return [typeof leak, JSON.stringify({ a: 1 })];' })).toEqual({ result: ['undefined', '{"a":1}'], logs: [] });
  });

  it('runs calls side by side without mixing their answers', async () => {
    const answers = await Promise.all(Array.from({ length: 12 }, (_, n) => runInSandbox({ code: 'console.log(input.n);\nreturn input.n * 2;', input: { n }, timeoutMs: 1000, memoryMb: 8 + (n % 3) * 8 })));
    expect(answers).toEqual(Array.from({ length: 12 }, (_, n) => ({ ok: true, result: n * 2, logs: [String(n)] })));
  });

  it('refuses templates in the code on save, and limits out of range', () => {
    expect(coreCode.check!({ code: 'return "{{ trigger.body.phone }}";' })).toEqual([
      { field: 'code', message: 'the code cannot hold {{ … }} or {% … %}: map the value into Input and read it as input.<name>' },
    ]);
    expect(coreCode.check!({ code: 'return input.phone;' })).toEqual([]);
    expect(coreCode.config.safeParse({ code: 'return 1', timeoutMs: 50 }).success).toBe(false);
    expect(coreCode.config.safeParse({ code: 'return 1', timeoutMs: 20_000 }).success).toBe(false);
    expect(coreCode.config.safeParse({ code: 'return 1', memoryMb: 512 }).success).toBe(false);
    expect(coreCode.config.safeParse({ code: '   ' }).success).toBe(false);
    expect(coreCode.config.safeParse({ code: 'x'.repeat(20_001) }).success).toBe(false);
    expect(coreCode.config.safeParse({ code: 'return 1', input: { 'a-b': 1 } }).success).toBe(false);
  });
});

describe('the sandbox pool', () => {
  const fake = new URL('./sandbox-fake-worker.fixture.mjs', import.meta.url);
  const call = (code: string) => ({ code, input: {}, timeoutMs: 100, memoryMb: 8 });

  it('terminates a worker that misses its deadline and answers the next call from a new one', async () => {
    const pool = new SandboxPool({ workerUrl: fake, maxWorkers: 1, graceMs: 100 });
    try {
      const started = Date.now();
      expect(await pool.run(call('hang'))).toEqual({ ok: false, code: 'code_timeout', message: 'The code was stopped after 100 ms, its time limit: look for a loop that never ends, or raise the time limit', logs: [] });
      expect(Date.now() - started).toBeLessThan(5000);
      expect(pool.workers).toBe(0);
      expect(await pool.run(call('return 1'))).toEqual({ ok: true, result: 'answered', logs: [] });
      expect(pool.workers).toBe(1);
    } finally {
      await pool.close();
    }
  });

  it('answers a call whose worker died, and goes on with a new worker', async () => {
    const pool = new SandboxPool({ workerUrl: fake, maxWorkers: 1 });
    try {
      const died = await pool.run(call('crash'));
      expect(died).toMatchObject({ ok: false, code: 'code_error' });
      expect(died.ok === false && died.message).toContain('exited with code 3');
      expect(await pool.run(call('return 1'))).toEqual({ ok: true, result: 'answered', logs: [] });
    } finally {
      await pool.close();
    }
  });

  it('fails the calls waiting for a worker that cannot start', async () => {
    const pool = new SandboxPool({ workerUrl: new URL('./no-such-worker.mjs', import.meta.url) });
    await expect(pool.run(call('return 1'))).rejects.toThrow(/The code sandbox could not start/);
    await pool.close();
  });
});
