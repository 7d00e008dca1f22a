import 'reflect-metadata';
import { CommanderError } from 'commander';
import { openPlatformContext } from '../app/application';
import { ConfigError, loadConfig } from '../config/config';
import { createLogger } from '../observability/logger';
import { parseAgentOptions } from './agent-options';
import { StoreNotFound } from './local-store';
import { SyncAgent } from './sync-agent';

/**
 * `npm run sync -- --platform <url> --key <key> [--store <handle>]`: the sync agent, beside a
 * self-hosted instance and with its environment (DATABASE_URL…), talking to the local store
 * through the services in-process and to the platform over its sync API. SIGINT or SIGTERM
 * stops it after the work in hand; SIGKILL loses nothing either (see Pusher and Puller).
 */
async function main(): Promise<void> {
  const options = parseAgentOptions(process.argv.slice(2), {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
  });
  const config = loadConfig();
  const logger = createLogger(config.logLevel).child({ component: 'sync-agent' });
  const platform = await openPlatformContext(config, logger);
  let agent: SyncAgent;
  try {
    agent = await SyncAgent.create(platform.context, options, logger);
    await agent.start({ metricsPort: options.metricsPort });
  } catch (error) {
    await platform.close();
    throw error;
  }
  logger.info(
    { store: agent.store.handle, storeId: agent.store.id, platform: options.platform },
    'sync agent running',
  );
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'sync agent stopping');
    agent
      .stop()
      .then(() => platform.close())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, 'sync agent did not stop cleanly');
          process.exit(1);
        },
      );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  if (error instanceof CommanderError) {
    process.exit(error.exitCode);
  }
  console.error(
    error instanceof ConfigError || error instanceof StoreNotFound
      ? error.message
      : `Dukkadee sync agent could not start: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(error instanceof ConfigError ? 78 : 1);
});
