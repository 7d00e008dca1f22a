import 'reflect-metadata';
import { RunningApplication, startApplication } from './app/application';
import { ConfigError, loadConfig } from './config/config';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }

  // Signals are handled from the first moment, so a stop during start-up still closes the embedded
  // PostgreSQL instead of orphaning it.
  const lifecycle: { running?: RunningApplication; stopping: boolean } = { stopping: false };
  const stop = (signal: NodeJS.Signals) => {
    if (lifecycle.stopping) return;
    lifecycle.stopping = true;
    // Still starting: main() closes what it started as soon as start-up returns.
    const running = lifecycle.running;
    if (!running) return;
    running.logger.info({ signal }, 'shutting down');
    running.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`Shutdown failed: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  const running = await startApplication(config, { waitUntilReady: false });
  lifecycle.running = running;
  if (lifecycle.stopping) {
    await running.close();
    process.exit(0);
  }
  await running.ready.catch((error: unknown) => {
    if (!lifecycle.stopping) throw error;
  });
}

main().catch((error: unknown) => {
  console.error(
    `Dukkadee could not start: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(1);
});
