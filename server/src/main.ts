// Entry point: `pnpm start [--role web|worker|all]`; stops gracefully on SIGTERM / SIGINT.
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
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
} catch (err) {
  logger.error({ err }, 'Bundles could not start');
  console.error(`\n  Bundles could not start: ${(err as Error).message}\n`);
  process.exit(1);
}
