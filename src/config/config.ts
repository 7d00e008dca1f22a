import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

/** Thrown for a configuration value that cannot run; `main` prints its message as one line and exits. */
export class ConfigError extends Error {}

const booleanFlag = z
  .enum(['true', 'false', '1', '0'])
  .transform((value) => value === 'true' || value === '1');

const positiveInt = z.coerce.number().int().positive();

const environmentSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  DATABASE_POOL_SIZE: positiveInt.max(1000).default(10),
  DATABASE_POOL_WAIT_MS: positiveInt.max(60_000).default(2000),
  DATABASE_STATEMENT_TIMEOUT_MS: positiveInt.max(3_600_000).default(5000),
  DATABASE_LOCK_TIMEOUT_MS: positiveInt.max(3_600_000).default(2000),
  DATABASE_STORE_POOL_SHARE: z.coerce
    .number()
    .gt(0, 'must be above 0')
    .max(1, 'must be at most 1 (the whole pool)')
    .default(0.5),
  DATABASE_STORE_QUEUE_WAIT_MS: positiveInt.max(60_000).default(2000),
  DATABASE_STORE_QUEUE_LENGTH: positiveInt.max(100_000).default(200),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .optional(),
  DATABASE_REPLICA_URLS: z
    .string()
    .transform((list) =>
      list
        .split(',')
        .map((url) => url.trim())
        .filter(Boolean),
    )
    .pipe(
      z.array(
        z.string().regex(/^postgres(ql)?:\/\//, 'must hold postgres:// or postgresql:// URLs'),
      ),
    )
    .optional(),
  PLATFORM_ADMIN_TOKEN: z.string().min(24, 'must be at least 24 characters').optional(),
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  BASE_DOMAIN: z
    .string()
    .regex(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/i, 'must be a host name such as shops.example.com')
    .default('localhost'),
  ENCRYPTION_KEY: z
    .string()
    .refine((value) => Buffer.from(value, 'base64').length === 32, 'must be 32 bytes in base64')
    .optional(),
  WEBHOOK_ALLOW_PRIVATE_NETWORKS: booleanFlag.default(false),
  WEBHOOK_RETRY_SCHEDULE: z
    .string()
    .regex(/^\d+(,\d+)*$/, 'must be comma-separated whole seconds')
    .default('5,300,1800,7200,18000,36000,36000,86400'),
  WEBHOOK_DISPATCHER: z.enum(['inline', 'off']).default('inline'),
  EVENT_RETENTION_DAYS: z.coerce
    .number()
    .int('must be a whole number of days')
    .min(30, 'must be at least 30 (CONTRACT.md keeps events 30 days)')
    .max(36_500)
    .default(90),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  METRICS_TOKEN: z.string().min(1).optional(),
  RATE_LIMIT_BUCKET: positiveInt.default(200),
  RATE_LIMIT_REFILL_PER_SECOND: positiveInt.default(20),
  GRAPHQL_COST_BUCKET: positiveInt.default(2000),
  GRAPHQL_COST_REFILL_PER_SECOND: positiveInt.default(100),
  GRAPHQL_OPERATIONS_FILE: z.string().min(1).optional(),
  GRAPHQL_ALLOWLIST: booleanFlag.default(false),
  DATA_DIR: z.string().min(1).default('.data'),
  // The response cache's memory per instance, in MiB; 0 turns the cache off (docs/operations.md).
  CACHE_MEMORY_MB: z.coerce.number().int().min(0).max(65_536).default(64),
});

export interface AppConfig {
  readonly nodeEnv: 'development' | 'production' | 'test';
  readonly port: number;
  readonly host: string;
  /** Absent means: start the embedded PostgreSQL under `dataDir`. */
  readonly databaseUrl?: string;
  readonly databasePoolSize: number;
  /** What keeps one store from taking the database from the others. */
  readonly databaseLimits: DatabaseLimits;
  readonly redisUrl?: string;
  /** Streaming replicas of `databaseUrl` that reads may be served from (read-replicas.ts). */
  readonly databaseReplicaUrls: readonly string[];
  readonly platformAdminToken: string;
  readonly publicUrl: string;
  /** The hosted UI of the store with handle `h` is at `h.<baseDomain>` (CONTRACT.md). */
  readonly baseDomain: string;
  readonly encryptionKey: Buffer;
  readonly webhookAllowPrivateNetworks: boolean;
  /** `inline`: this process sends webhooks; `off`: only `npm run worker` processes do. */
  readonly webhookDispatcher: 'inline' | 'off';
  /** Events older than this are deleted by the daily retention job. */
  readonly eventRetentionDays: number;
  readonly webhookRetryScheduleSeconds: readonly number[];
  readonly logLevel: string;
  readonly metricsToken?: string;
  readonly rateLimit: { readonly bucket: number; readonly refillPerSecond: number };
  readonly graphqlCost: { readonly bucket: number; readonly refillPerSecond: number };
  /** A JSON file of `{"<sha256 hex>": "<operation>"}` known in advance (first-party apps). */
  readonly graphqlOperationsFile?: string;
  /** Only the operations of that file are accepted. */
  readonly graphqlAllowlist: boolean;
  readonly dataDir: string;
  /** The response cache's in-process budget in bytes; 0: no response cache. */
  readonly cacheMemoryBytes: number;
}

export interface DatabaseLimits {
  /** How long a transaction waits for a pooled connection before `503 service_busy`. */
  readonly poolWaitMs: number;
  /** Every transaction's `statement_timeout` and `lock_timeout`. */
  readonly statementTimeoutMs: number;
  readonly lockTimeoutMs: number;
  /** Pooled connections one store's transactions may hold at once. */
  readonly connectionsPerStore: number;
  /** How long, and how many, of one store's transactions may wait for one of its connections. */
  readonly storeQueueWaitMs: number;
  readonly storeQueueLength: number;
}

/**
 * Reads and validates the environment. Secrets that development may leave unset (the admin token,
 * the encryption key) are generated once and kept under the data directory so restarts reuse them.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  // `PORT=` in a shell or a compose file means "not set", not "set to nothing".
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = environmentSchema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = String(issue.path[0]);
    throw new ConfigError(`Invalid environment variable ${variable}: ${issue.message}`);
  }
  const values = parsed.data;
  const production = values.NODE_ENV === 'production';
  if (production && !values.PLATFORM_ADMIN_TOKEN) {
    throw new ConfigError(
      'Missing environment variable PLATFORM_ADMIN_TOKEN: required when NODE_ENV=production',
    );
  }
  if (production && !values.ENCRYPTION_KEY) {
    throw new ConfigError(
      'Missing environment variable ENCRYPTION_KEY: required when NODE_ENV=production',
    );
  }
  if (values.DATABASE_REPLICA_URLS?.length && !values.DATABASE_URL) {
    throw new ConfigError(
      'Invalid environment variable DATABASE_REPLICA_URLS: needs DATABASE_URL, the primary they replicate',
    );
  }
  if (values.GRAPHQL_ALLOWLIST && !values.GRAPHQL_OPERATIONS_FILE) {
    throw new ConfigError(
      'Invalid environment variable GRAPHQL_ALLOWLIST: needs GRAPHQL_OPERATIONS_FILE, the operations it allows',
    );
  }
  const dataDir = values.DATA_DIR;
  return {
    nodeEnv: values.NODE_ENV,
    port: values.PORT,
    host: values.HOST,
    databaseUrl: values.DATABASE_URL,
    databasePoolSize: values.DATABASE_POOL_SIZE,
    databaseLimits: {
      poolWaitMs: values.DATABASE_POOL_WAIT_MS,
      statementTimeoutMs: values.DATABASE_STATEMENT_TIMEOUT_MS,
      lockTimeoutMs: values.DATABASE_LOCK_TIMEOUT_MS,
      connectionsPerStore: Math.max(
        1,
        Math.round(values.DATABASE_POOL_SIZE * values.DATABASE_STORE_POOL_SHARE),
      ),
      storeQueueWaitMs: values.DATABASE_STORE_QUEUE_WAIT_MS,
      storeQueueLength: values.DATABASE_STORE_QUEUE_LENGTH,
    },
    redisUrl: values.REDIS_URL,
    databaseReplicaUrls: values.DATABASE_REPLICA_URLS ?? [],
    platformAdminToken:
      values.PLATFORM_ADMIN_TOKEN ??
      persistedSecret(
        dataDir,
        'platform-admin-token',
        () => `dk_admin_${randomBytes(24).toString('base64url')}`,
      ),
    publicUrl: (values.PUBLIC_URL ?? `http://localhost:${values.PORT}`).replace(/\/$/, ''),
    baseDomain: values.BASE_DOMAIN.toLowerCase(),
    encryptionKey: Buffer.from(
      values.ENCRYPTION_KEY ??
        persistedSecret(dataDir, 'encryption-key', () => randomBytes(32).toString('base64')),
      'base64',
    ),
    webhookAllowPrivateNetworks: values.WEBHOOK_ALLOW_PRIVATE_NETWORKS,
    webhookDispatcher: values.WEBHOOK_DISPATCHER,
    eventRetentionDays: values.EVENT_RETENTION_DAYS,
    webhookRetryScheduleSeconds: values.WEBHOOK_RETRY_SCHEDULE.split(',').map(Number),
    logLevel: values.LOG_LEVEL,
    metricsToken: values.METRICS_TOKEN,
    rateLimit: {
      bucket: values.RATE_LIMIT_BUCKET,
      refillPerSecond: values.RATE_LIMIT_REFILL_PER_SECOND,
    },
    graphqlOperationsFile: values.GRAPHQL_OPERATIONS_FILE,
    graphqlAllowlist: values.GRAPHQL_ALLOWLIST,
    graphqlCost: {
      bucket: values.GRAPHQL_COST_BUCKET,
      refillPerSecond: values.GRAPHQL_COST_REFILL_PER_SECOND,
    },
    dataDir,
    cacheMemoryBytes: values.CACHE_MEMORY_MB * 1024 * 1024,
  };
}

function persistedSecret(dataDir: string, name: string, generate: () => string): string {
  const path = join(dataDir, name);
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = generate();
  writeFileSync(path, `${secret}\n`, { mode: 0o600 });
  return secret;
}

/** Nest injection token for the validated configuration. */
export const APP_CONFIG = Symbol('APP_CONFIG');
