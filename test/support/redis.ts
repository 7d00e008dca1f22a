import { spawnSync } from 'node:child_process';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * Whether Redis answers, decided synchronously so a suite can choose `describe` or
 * `describe.skip` (and say so) when it is collected. CI starts Redis, so nothing skips there.
 */
export function redisReachable(): boolean {
  const { hostname, port } = new URL(REDIS_URL);
  const probe = spawnSync(
    process.execPath,
    [
      '-e',
      `const s = require('node:net').connect(${Number(port || 6379)}, ${JSON.stringify(hostname)});
       s.on('connect', () => process.exit(0)); s.on('error', () => process.exit(1));
       setTimeout(() => process.exit(1), 1000);`,
    ],
    { timeout: 3000 },
  );
  return probe.status === 0;
}
