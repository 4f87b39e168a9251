// The editor's component tests read the manifests the server would answer; they are dumped from the node
// definitions before the tests run (never committed, so a new provider needs no edit here).
import { execFileSync } from 'node:child_process';
import path from 'node:path';

export default function setup(): void {
  const root = path.resolve(import.meta.dirname, '..');
  execFileSync('pnpm', ['exec', 'tsx', 'tests/support/manifests.ts'], { cwd: root, stdio: 'ignore' });
}
