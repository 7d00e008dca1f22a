import 'reflect-metadata';
import { openPlatformContext } from './app/application';
import { ConfigError, loadConfig } from './config/config';
import { createLogger } from './observability/logger';

/**
 * `npm run worker`: a process that only sends webhooks, for when delivery volume outgrows the API
 * processes (which then run with WEBHOOK_DISPATCHER=off). Any number can run beside them: each
 * attempt is fetched by one of them and leased on its delivery row.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const platform = await openPlatformContext(config, logger, { dispatch: true });
  logger.info('webhook worker running');
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'webhook worker stopping');
    platform.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(
    error instanceof ConfigError
      ? error.message
      : `Dukkadee worker could not start: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(error instanceof ConfigError ? 78 : 1);
});
