import { describe, expect, it } from 'vitest';
import { sqlJson } from './sql-json.js';

describe('sqlJson', () => {
  it('is JSON.stringify when no string holds a NUL', () => {
    const v = { a: 'x', b: [1, 'y'], c: { d: null } };
    expect(sqlJson(v)).toBe(JSON.stringify(v));
  });

  it('turns NUL characters, at any depth and in keys of arrays, into U+FFFD', () => {
    expect(JSON.parse(sqlJson({ text: 'bad \u0000 byte', list: ['\u0000\u0000'], deep: { x: 'a\u0000' } }))).toEqual({
      text: 'bad \uFFFD byte',
      list: ['\uFFFD\uFFFD'],
      deep: { x: 'a\uFFFD' },
    });
  });

  it('leaves the literal text \\u0000 (a backslash and five characters) as it is', () => {
    const v = { text: 'a \\u0000 b' };
    expect(JSON.parse(sqlJson(v))).toEqual(v);
  });
});
