import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Whether `check` holds within `withinMs` (polled every 10 ms): for what the contract promises
 * "within 1 s" on another instance or process, such as a revocation reaching a cached read.
 */
export async function eventually(check: () => Promise<boolean>, withinMs = 1000): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await sleep(10);
  }
}
