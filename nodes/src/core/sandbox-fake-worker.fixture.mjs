// A stand-in for sandbox-worker.mjs in the host's tests: `hang` never answers (as an engine stuck inside one
// native call would), `crash` ends the thread, anything else answers "answered".
import process from 'node:process';
import { parentPort } from 'node:worker_threads';

parentPort.on('message', (call) => {
  if (call.code === 'hang') for (;;) {
    // Busy for good: only terminate() ends it.
  }
  if (call.code === 'crash') process.exit(3);
  parentPort.postMessage({ id: call.id, ok: true, result: '"answered"', logs: [] });
});
parentPort.postMessage({ ready: true });
