// Fault injection for the crash tests: the executor calls crashPoint() at each step boundary; when the
// point was named in BUNDLES_TEST_CRASH_AT the process dies there with SIGKILL, as a power cut would leave
// it. Unset (always, outside tests) it does nothing.
export type CrashPoint = `before-call:${string}` | `after-call:${string}` | `after-write:${string}`;

export function crashPoints(names: readonly string[]): (point: CrashPoint) => void {
  if (names.length === 0) return () => {};
  const armed = new Set(names);
  return (point) => {
    if (armed.has(point)) process.kill(process.pid, 'SIGKILL');
  };
}
