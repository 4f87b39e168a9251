// The manifests the server answers at /api/node-types and /api/providers, as the editor's tests see them.
// `pnpm manifests` writes the editor's copy (git-ignored); `pnpm test` and the editor's vitest setup run it.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeManifest, nodeTypes, providerManifest, providers } from '@bundles/nodes';

export const editorFixture = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '../../editor/src/test-fixtures/manifests.json');

export function currentManifests() {
  return { nodeTypes: nodeTypes.map(nodeManifest), providers: providers.filter((p) => p.id !== 'core').map((p) => providerManifest(p)) };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  fs.mkdirSync(path.dirname(editorFixture), { recursive: true });
  fs.writeFileSync(editorFixture, JSON.stringify(currentManifests(), null, 1) + '\n');
  console.log(`wrote ${editorFixture}`);
}
