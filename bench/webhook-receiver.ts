/**
 * The benchmark's webhook receiver, in a process of its own (so it shares no event loop with the
 * benchmark or the app): answers every POST with 204 at once, counts deliveries per path (one per
 * subscription) and webhook id, and keeps a sample of requests whose signatures the benchmark
 * verifies with the subscriptions' secrets.
 *
 * - `GET /stats`: `ReceiverStats`;
 * - `GET /samples`: up to MAX_SAMPLES `ReceivedWebhook`s, spread over the run.
 *
 * Environment: PORT.
 */
import {
  isWellFormedSignature,
  ReceivedWebhook,
  ReceiverStats,
  startWebhookReceiver,
} from './lib/webhook-receiver';

const MAX_SAMPLES = 200;
/** Every SAMPLE_EVERY-th request is kept (a prime, so the paths take turns). */
const SAMPLE_EVERY = 47;

const seen = new Set<string>();
const perPath: Record<string, number> = {};
const samples: ReceivedWebhook[] = [];
let requests = 0;
let duplicates = 0;
let malformed = 0;
let firstAt: number | null = null;
let lastAt: number | null = null;
let lastUniqueAt: number | null = null;

function onWebhook(webhook: ReceivedWebhook): void {
  requests++;
  firstAt ??= webhook.at;
  lastAt = webhook.at;
  const id = webhook.headers['webhook-id'];
  const timestamp = webhook.headers['webhook-timestamp'];
  if (
    !isWellFormedSignature(webhook.headers['webhook-signature']) ||
    typeof id !== 'string' ||
    !/^evt_[0-9a-z]{26}$/.test(id) ||
    typeof timestamp !== 'string' ||
    !/^\d+$/.test(timestamp)
  ) {
    malformed++;
  }
  const key = `${webhook.path} ${String(id)}`;
  if (seen.has(key)) duplicates++;
  else {
    seen.add(key);
    lastUniqueAt = webhook.at;
    perPath[webhook.path] = (perPath[webhook.path] ?? 0) + 1;
  }
  if (requests % SAMPLE_EVERY === 1 && samples.length < MAX_SAMPLES) samples.push(webhook);
}

function stats(): ReceiverStats {
  return {
    requests,
    unique: seen.size,
    duplicates,
    malformed,
    perPath,
    firstAt,
    lastAt,
    lastUniqueAt,
  };
}

startWebhookReceiver({
  port: Number(process.env.PORT ?? 0),
  onWebhook,
  onOther: (path) =>
    path === '/stats'
      ? { status: 200, body: stats() }
      : path === '/samples'
        ? { status: 200, body: samples }
        : { status: 404, body: { error: 'not_found' } },
}).then(
  ({ url, close }) => {
    console.log(`webhook receiver listening on ${url}`);
    for (const signal of ['SIGINT', 'SIGTERM'] as const)
      process.once(signal, () => void close().finally(() => process.exit(0)));
  },
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
