// Every error code the API answers has a sentence and a hint for people (shared errorTexts): the codes are
// read from the source of the server and the nodes (AppError's and the error handler's), not from a list.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { errorTexts } from '@bundles/shared';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : sources(full);
    return /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name) ? [full] : [];
  });
}

function answeredCodes(): Set<string> {
  const codes = new Set<string>();
  for (const file of [...sources(path.join(root, 'server/src')), ...sources(path.join(root, 'nodes/src'))]) {
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(/new AppError\(\s*\d{3},\s*'([a-z_]+)'/g)) codes.add(m[1]!);
    // The error handler's own answers: `error: { code: '…'`.
    for (const m of text.matchAll(/error: \{ code: '([a-z_]+)'/g)) codes.add(m[1]!);
  }
  return codes;
}

describe('error texts', () => {
  it('has a sentence and a hint for every code the API answers', () => {
    const codes = answeredCodes();
    expect(codes.size).toBeGreaterThan(20);
    const missing = [...codes].filter((c) => !errorTexts[c]).sort();
    expect(missing).toEqual([]);
    for (const c of codes) {
      expect(errorTexts[c]!.sentence, c).toMatch(/^[A-Z].*\.$/);
      expect(errorTexts[c]!.hint, c).toMatch(/^[A-Z].*\.$/);
    }
  });
});
