// The core.code sandbox, one per worker thread (see sandbox.ts): each call gets a fresh QuickJS runtime with
// a stack limit and a deadline, so nothing of one run reaches the next and no script can block the server's
// event loop. Plain JavaScript: worker threads start without the TypeScript loader.
import fs from 'node:fs';
/* global WebAssembly */
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { parentPort } from 'node:worker_threads';
import releaseSync from '@jitl/quickjs-wasmfile-release-sync';
import { newQuickJSWASMModuleFromVariant, newVariant } from 'quickjs-emscripten-core';

const codeFile = 'code.js';
/** The author's body goes on the wrapper's first line, so its line numbers are the author's own. */
const wrapperStart = '(function (input) {';
const wrapperEnd = '\n})';
const maxLogLines = 100;
const maxLogChars = 1000;
const maxResultChars = 256 * 1024;
/** QuickJS's own stack: deep recursion ends as a RangeError-like "stack overflow", well before the thread's stack. */
const maxStackBytes = 256 * 1024;

// Runs once per context before the author's code: console, and input/output through JSON captured here,
// so a script that replaces JSON or Promise changes nothing but its own values.
const bootstrap = `(function (send) {
  const stringify = JSON.stringify, parse = JSON.parse, PromiseType = Promise;
  const text = (v) => {
    if (typeof v === 'string') return v;
    try { const s = stringify(v); if (s !== undefined) return s; } catch {}
    try { return String(v); } catch { return '[value]'; }
  };
  // Cut and cleaned here: the engine hands strings over as C strings (a NUL would end one), and PostgreSQL
  // stores neither NUL nor half a surrogate pair.
  const clean = (s) => s.replace(/\\u0000|[\\uD800-\\uDBFF](?![\\uDC00-\\uDFFF])|(?<![\\uD800-\\uDBFF])[\\uDC00-\\uDFFF]/g, '\\uFFFD');
  const line = (level) => (...args) => {
    const t = args.map(text).join(' ');
    send(level, clean(t.length > ${maxLogChars} ? t.slice(0, ${maxLogChars}) + '…' : t));
  };
  globalThis.console = { log: line('log'), info: line('info'), debug: line('debug'), warn: line('warn'), error: line('error') };
  const output = (v) => {
    if (v === undefined) return 'Jnull';
    if (v instanceof PromiseType) return 'Pit returned a Promise: the code runs synchronously, so compute the value and return it (no await)';
    let s;
    try { s = stringify(v); } catch (e) { return 'P' + text(e && e.message !== undefined ? e.message : e); }
    return s === undefined ? 'Pit returned ' + typeof v + ', which JSON cannot hold' : 'J' + s;
  };
  return [parse, output];
})`;

const pageBytes = 64 * 1024;
/** What the engine itself occupies before any script runs (its build's initial memory). */
const enginePages = 256;
const compiled = await WebAssembly.compile(fs.readFileSync(fileURLToPath(import.meta.resolve('@jitl/quickjs-wasmfile-release-sync/wasm'))));

// QuickJS's own limit (setMemoryLimit) refuses one allocation larger than the limit, but this build does not
// add up what is allocated (it counts 0 bytes per block). The hard bound is the engine's WebAssembly memory:
// one engine per limit, its memory capped at the engine's own pages plus the limit, where malloc then fails
// and QuickJS throws "out of memory". A fresh runtime per call frees all of a call's memory for the next.
// WebAssembly memory never shrinks: an engine that grew past `keptBytes` is dropped after its call (a new one
// takes 5 ms), so an idle worker holds at most `maxEngines` small engines.
const engines = new Map();
const maxEngines = 2;
const keptBytes = (enginePages * pageBytes) + 32 * 1024 * 1024;

async function engineFor(memoryMb) {
  let engine = engines.get(memoryMb);
  if (engine) return engine;
  if (engines.size >= maxEngines) engines.delete(engines.keys().next().value);
  const memory = new WebAssembly.Memory({ initial: enginePages, maximum: enginePages + (memoryMb * 1024 * 1024) / pageBytes });
  engine = { quickjs: await newQuickJSWASMModuleFromVariant(newVariant(releaseSync, { wasmModule: compiled, wasmMemory: memory })), memory };
  engines.set(memoryMb, engine);
  return engine;
}

/** Without NUL and lone surrogates, which PostgreSQL cannot store (for texts read out of the engine). */
function storable(text) {
  return text.replaceAll('\u0000', '\uFFFD').replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

/** Where in the author's code: the innermost frame of `stack` inside the body, or the end of the code. */
function positionOf(stack, code) {
  const lines = code.split('\n');
  for (const m of String(stack).slice(0, 4000).matchAll(/code\.js:(\d+):(\d+)/g)) {
    const line = Number(m[1]);
    const column = Number(m[2]);
    if (line >= 1 && line <= lines.length) return { line, column: line === 1 ? Math.max(1, column - wrapperStart.length) : column };
    // Past the body: the parser reached the wrapper's closing line (an unclosed brace or string).
    if (line === lines.length + 1) return { line: lines.length, column: lines[lines.length - 1].length + 1, end: true };
  }
  return null;
}

/** What the code threw: name, message and stack of an error, or the value shown. Reads never throw. */
function thrownOf(ctx, handle) {
  const read = (key) => {
    try {
      const h = ctx.getProp(handle, key);
      try {
        return ctx.typeof(h) === 'string' ? ctx.getString(h) : undefined;
      } finally {
        h.dispose();
      }
    } catch {
      return undefined;
    }
  };
  if (ctx.typeof(handle) === 'object') {
    const message = read('message');
    if (message !== undefined) return { name: read('name') ?? 'Error', message, stack: read('stack') ?? '' };
  }
  let shown;
  try {
    shown = JSON.stringify(ctx.dump(handle)) ?? String(ctx.dump(handle));
  } catch {
    shown = 'a value';
  }
  return { name: null, message: `threw ${shown.slice(0, 300)}`, stack: '' };
}

function failure(code, message) {
  return { ok: false, code, message: storable(message) };
}

/** The error of a call into the VM, named by what stopped it. */
function errorOf(ctx, handle, state, call) {
  if (state.interrupted) return failure('code_timeout', `The code was stopped after ${call.timeoutMs} ms, its time limit: look for a loop that never ends, or raise the time limit`);
  const e = thrownOf(ctx, handle);
  if (e.name === 'InternalError' && e.message === 'out of memory') {
    return failure('code_memory', `The code was stopped at its memory limit of ${call.memoryMb} MB: keep less data at once, or raise the memory limit`);
  }
  const at = positionOf(e.stack, call.code);
  // QuickJS names the wrapper's closing `})` there, which the author never wrote.
  if (at?.end) return failure('code_error', `${e.name}: the code ends before a {, ( or [, a string or a comment it opened is closed, at line ${at.line}, column ${at.column}`);
  return failure('code_error', `${e.name ? `${e.name}: ` : 'The code '}${e.message}${at ? ` at line ${at.line}, column ${at.column}` : ''}`);
}

/** Takes the handle of a VM call's result, or answers its error. */
function unwrap(ctx, result, state, call) {
  if (!result.error) return { handle: result.value };
  try {
    return { failed: errorOf(ctx, result.error, state, call) };
  } finally {
    result.error.dispose();
  }
}

function evaluate(ctx, call, state, logs) {
  const owned = [];
  const own = (h) => (owned.push(h), h);
  try {
    const send = own(
      ctx.newFunction('send', (levelHandle, textHandle) => {
        if (logs.lines.length >= maxLogLines) {
          logs.dropped++;
          return;
        }
        const level = ctx.getString(levelHandle);
        const prefix = level === 'warn' || level === 'error' ? `[${level}] ` : '';
        logs.lines.push(prefix + ctx.getString(textHandle));
      }),
    );
    const boot = unwrap(ctx, ctx.evalCode(bootstrap, 'bundles.js', { type: 'global' }), state, call);
    if (boot.failed) return boot.failed;
    own(boot.handle);
    const helpers = unwrap(ctx, ctx.callFunction(boot.handle, ctx.undefined, send), state, call);
    if (helpers.failed) return helpers.failed;
    own(helpers.handle);
    const parse = own(ctx.getProp(helpers.handle, 0));
    const output = own(ctx.getProp(helpers.handle, 1));
    const inputText = own(ctx.newString(call.input));
    const input = unwrap(ctx, ctx.callFunction(parse, ctx.undefined, inputText), state, call);
    if (input.failed) return input.failed;
    own(input.handle);
    const fn = unwrap(ctx, ctx.evalCode(wrapperStart + call.code + wrapperEnd, codeFile, { type: 'global' }), state, call);
    if (fn.failed) return fn.failed;
    own(fn.handle);
    const result = unwrap(ctx, ctx.callFunction(fn.handle, ctx.undefined, input.handle), state, call);
    if (result.failed) return result.failed;
    own(result.handle);
    const json = unwrap(ctx, ctx.callFunction(output, ctx.undefined, result.handle), state, call);
    if (json.failed) return json.failed.code === 'code_error' ? failure('code_output', `The result cannot be turned into JSON: ${json.failed.message}`) : json.failed;
    own(json.handle);
    const tagged = ctx.getString(json.handle);
    if (tagged.startsWith('P')) return failure('code_output', `The result is not a JSON value: ${tagged.slice(1)}`);
    const text = tagged.slice(1);
    if (text.length > maxResultChars) return failure('code_output', `The result is ${text.length} characters of JSON, more than ${maxResultChars}: return less`);
    return { ok: true, result: text };
  } finally {
    for (const h of owned.reverse()) if (h.alive) h.dispose();
  }
}

/** One call: a fresh runtime and context, disposed whatever happens. */
async function run(call) {
  const logs = { lines: [], dropped: 0 };
  const state = { interrupted: false };
  const engine = await engineFor(call.memoryMb);
  const deadline = Date.now() + call.timeoutMs;
  const runtime = engine.quickjs.newRuntime();
  let answer;
  try {
    runtime.setMemoryLimit(call.memoryMb * 1024 * 1024);
    runtime.setMaxStackSize(maxStackBytes);
    runtime.setInterruptHandler(() => {
      if (Date.now() < deadline) return false;
      state.interrupted = true;
      return true;
    });
    const ctx = runtime.newContext();
    try {
      answer = evaluate(ctx, call, state, logs);
    } finally {
      ctx.dispose();
    }
  } finally {
    runtime.dispose();
  }
  // An engine that ran out of memory is not trusted with the next call.
  if (answer.code === 'code_memory' || engine.memory.buffer.byteLength > keptBytes) engines.delete(call.memoryMb);
  if (logs.dropped > 0) logs.lines.push(`… ${logs.dropped} more console line${logs.dropped === 1 ? '' : 's'} not kept (at most ${maxLogLines})`);
  return { ...answer, logs: logs.lines };
}

parentPort.on('message', async (call) => {
  let answer;
  try {
    answer = await run(call);
  } catch (err) {
    // The engine itself failed (not the author's code): answer, then leave so a fresh worker takes over.
    parentPort.postMessage({ id: call.id, ok: false, code: 'code_error', message: `The sandbox failed while running the code: ${err instanceof Error ? err.message : String(err)}`, logs: [] });
    process.exit(1);
  }
  parentPort.postMessage({ id: call.id, ...answer });
});
parentPort.postMessage({ ready: true });
