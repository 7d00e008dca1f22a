import { Command, InvalidArgumentError } from 'commander';

export interface AgentOptions {
  /** The platform's base URL, e.g. https://api.dukkadee.com. */
  readonly platform: string;
  /** A key (or app token) of the store on the platform, holding the `sync` scope. */
  readonly key: string;
  /** The local store's handle; needed only when the database holds several. */
  readonly store?: string;
  /** Serve Prometheus metrics on this port (on 127.0.0.1), if set. */
  readonly metricsPort?: number;
  /** How often the local feed is read when nothing woke the push side. */
  readonly pushIntervalMs: number;
  /** How often the platform feed is read when no real-time event woke the pull side. */
  readonly pullIntervalMs: number;
}

function integer(min: number, max: number) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min || parsed > max)
      throw new InvalidArgumentError(`must be a whole number from ${min} to ${max}`);
    return parsed;
  };
}

function httpUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError('must be an http:// or https:// URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new InvalidArgumentError('must be an http:// or https:// URL');
  return url.toString().replace(/\/+$/, '');
}

/** `npm run sync -- --platform <url> --key <key> [--store <handle>]` and its tuning options. */
export function parseAgentOptions(
  argv: readonly string[],
  io: { out(text: string): void; err(text: string): void },
): AgentOptions {
  const program = new Command('npm run sync --')
    .description(
      'Keeps this self-hosted store in step with its store on the Dukkadee platform: pushes the catalogue, customers and stock, pulls marketplace orders.',
    )
    .requiredOption('--platform <url>', 'the platform base URL', httpUrl)
    .requiredOption('--key <key>', "a key of the platform's store with the sync scope")
    .option('--store <handle>', 'the local store to sync (needed when there are several)')
    .option(
      '--metrics-port <port>',
      'serve Prometheus metrics on 127.0.0.1:<port>/metrics',
      integer(1, 65535),
    )
    .option('--push-interval <ms>', 'local change polling interval', integer(100, 3_600_000), 1000)
    .option(
      '--poll-interval <ms>',
      'platform change polling interval (fallback for real-time events)',
      integer(100, 3_600_000),
      5000,
    )
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err });
  program.parse(argv, { from: 'user' });
  const options = program.opts();
  return {
    platform: options.platform,
    key: options.key,
    store: options.store,
    metricsPort: options.metricsPort,
    pushIntervalMs: options.pushInterval,
    pullIntervalMs: options.pollInterval,
  };
}
