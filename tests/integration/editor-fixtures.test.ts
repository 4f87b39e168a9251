// The editor's component tests use a copy of the manifests; it must not drift from the node definitions.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { currentManifests, editorFixture } from '../support/manifests.js';

describe("the editor's manifest fixture", () => {
  it('equals what /api/node-types and /api/providers answer (regenerate: pnpm exec tsx tests/support/manifests.ts)', () => {
    expect(JSON.parse(fs.readFileSync(editorFixture, 'utf8'))).toEqual(JSON.parse(JSON.stringify(currentManifests())));
  });
});
