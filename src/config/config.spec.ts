import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from './config';

const dataDir = () => mkdtempSync(join(tmpdir(), 'dk-config-'));

describe('loadConfig', () => {
  it('applies the defaults of the contract', () => {
    const config = loadConfig({ DATA_DIR: dataDir() });
    expect(config.port).toBe(3000);
    expect(config.webhookAllowPrivateNetworks).toBe(false);
    expect(config.webhookRetryScheduleSeconds).toEqual([
      5, 300, 1800, 7200, 18000, 36000, 36000, 86400,
    ]);
    expect(config.rateLimit).toEqual({ bucket: 200, refillPerSecond: 20 });
    expect(config.graphqlCost).toEqual({ bucket: 2000, refillPerSecond: 100 });
    expect(config.publicUrl).toBe('http://localhost:3000');
    expect(config.encryptionKey).toHaveLength(32);
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'mysql://localhost/x'],
    ['REDIS_URL', 'localhost:6379'],
    ['ENCRYPTION_KEY', 'c2hvcnQ='],
    ['WEBHOOK_ALLOW_PRIVATE_NETWORKS', 'yes'],
    ['WEBHOOK_RETRY_SCHEDULE', '5,ten'],
    ['WEBHOOK_DISPATCHER', 'sometimes'],
    ['EVENT_RETENTION_DAYS', '10'],
    ['EVENT_RETENTION_DAYS', '45.5'],
    ['GRAPHQL_ALLOWLIST', 'true'],
    ['LOG_LEVEL', 'loud'],
    ['PUBLIC_URL', 'ftp://example.com'],
    ['RATE_LIMIT_BUCKET', '-1'],
  ])('refuses %s=%s with one line naming the variable', (name, value) => {
    let message = '';
    try {
      loadConfig({ DATA_DIR: dataDir(), [name]: value });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      message = (error as Error).message;
    }
    expect(message).toContain(name);
    expect(message).not.toContain('\n');
  });

  it('treats empty values as unset', () => {
    const config = loadConfig({ DATA_DIR: dataDir(), PORT: '', DATABASE_URL: '', LOG_LEVEL: '' });
    expect(config.port).toBe(3000);
    expect(config.databaseUrl).toBeUndefined();
    expect(config.logLevel).toBe('info');
  });

  it('takes read replicas as a comma-separated list of PostgreSQL URLs, beside DATABASE_URL only', () => {
    const primary = 'postgres://app@db:5432/shop';
    expect(
      loadConfig({
        DATA_DIR: dataDir(),
        DATABASE_URL: primary,
        DATABASE_REPLICA_URLS: ' postgres://app@r1:5432/shop, postgresql://app@r2/shop ,',
      }).databaseReplicaUrls,
    ).toEqual(['postgres://app@r1:5432/shop', 'postgresql://app@r2/shop']);
    expect(loadConfig({ DATA_DIR: dataDir() }).databaseReplicaUrls).toEqual([]);
    expect(() =>
      loadConfig({
        DATA_DIR: dataDir(),
        DATABASE_URL: primary,
        DATABASE_REPLICA_URLS: 'mysql://r1',
      }),
    ).toThrow(/DATABASE_REPLICA_URLS/);
    expect(() =>
      loadConfig({ DATA_DIR: dataDir(), DATABASE_REPLICA_URLS: 'postgres://app@r1/shop' }),
    ).toThrow(/needs DATABASE_URL/);
  });

  it('requires the admin token and encryption key in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', DATA_DIR: dataDir() })).toThrow(
      /PLATFORM_ADMIN_TOKEN/,
    );
    expect(() =>
      loadConfig({
        NODE_ENV: 'production',
        DATA_DIR: dataDir(),
        PLATFORM_ADMIN_TOKEN: 'x'.repeat(32),
      }),
    ).toThrow(/ENCRYPTION_KEY/);
  });

  it('generates development secrets once and reuses them after a restart', () => {
    const dir = dataDir();
    const first = loadConfig({ DATA_DIR: dir });
    const second = loadConfig({ DATA_DIR: dir });
    expect(second.platformAdminToken).toBe(first.platformAdminToken);
    expect(second.encryptionKey.equals(first.encryptionKey)).toBe(true);
    expect(readFileSync(join(dir, 'platform-admin-token'), 'utf8').trim()).toBe(
      first.platformAdminToken,
    );
  });
});
