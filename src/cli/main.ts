import 'reflect-metadata';
import { ConfigError, loadConfig } from '../config/config';
import { createLogger } from '../observability/logger';
import { runCli } from './commands';

async function main(): Promise<void> {
  const config = loadConfig({ LOG_LEVEL: 'warn', ...process.env });
  const logger = createLogger(config.logLevel);
  process.exitCode = await runCli(process.argv.slice(2), config, logger, {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    progress: process.stderr,
  });
}

main().catch((error: unknown) => {
  console.error(
    error instanceof ConfigError
      ? error.message
      : `dukkadee: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exitCode = error instanceof ConfigError ? 78 : 1;
});
