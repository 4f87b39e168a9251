// Entry point: `pnpm start [--role web|worker|all]`; stops gracefully on SIGTERM / SIGINT (also one sent while starting).
import { parseArgs } from 'node:util';
import { configFromEnv, type Role } from './config.js';
import { createLogger, logFormatOf } from './logger.js';
import { startBundles } from './start.js';

// `pnpm start -- --role web` passes the `--` along: it is not an argument of ours.
const args = process.argv.slice(2).filter((a) => a !== '--');
const { values } = parseArgs({ args, options: { role: { type: 'string', default: 'all' }, 'forget-secrets': { type: 'boolean', default: false } }, allowPositionals: false });
const role = values.role as Role;
if (!['web', 'worker', 'all'].includes(role)) {
  console.error(`--role must be web, worker or all (got "${role}")`);
  process.exit(2);
}
const config = { ...configFromEnv(process.env, role), forgetSecrets: values['forget-secrets'] === true };
const logger = createLogger(config.logLevel, logFormatOf(process.env, process.stdout.isTTY === true));

// Signals are taken from the very start: one that arrives while Bundles is still starting (its worker may
// already run jobs) stops it as soon as it has started, instead of killing it mid-way.
let stopRequested: string | null = null;
let stopNow: ((signal: string) => void) | null = null;
const onSignal = (signal: string) => (stopNow ? stopNow(signal) : (stopRequested ??= signal));
process.on('SIGTERM', () => onSignal('SIGTERM'));
process.on('SIGINT', () => onSignal('SIGINT'));

try {
  const bundles = await startBundles(config, logger, {
    onFatal(err) {
      logger.error({ err: err.message }, 'Bundles stops: its worker cannot recover');
      console.error(`\n  Bundles stops: its worker cannot recover (${err.message}).\n`);
      process.exit(1);
    },
  });
  if (bundles.url) {
    logger.info({ url: bundles.url, publicUrl: bundles.publicUrl, role }, 'Bundles is running');
    console.log(`\n  Bundles is running: open ${bundles.url}\n  Webhooks are reached at ${bundles.publicUrl}/hooks/…\n`);
  } else {
    logger.info({ role }, 'Bundles worker is running');
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing requests and runs in progress');
    const force = setTimeout(() => process.exit(1), 30_000);
    force.unref();
    bundles.close().then(
      () => process.exit(0),
      (err) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  stopNow = stop;
  if (stopRequested) stop(stopRequested);
} catch (err) {
  logger.error({ err }, 'Bundles could not start');
  console.error(`\n  Bundles could not start: ${(err as Error).message}\n`);
  process.exit(1);
}
