import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { backoffDelay } from './backoff';

/**
 * Runs one side of the sync over and over: a round as soon as it is woken (a real-time event),
 * otherwise every `intervalMs` (the polling fallback), and after a failed round again after a
 * growing delay. A wake during a round asks for another round right after it, so nothing that
 * happened during a round waits for the next poll.
 */
export class SyncLoop {
  private wanted = false;
  private woken: (() => void) | undefined;

  constructor(
    private readonly name: string,
    private readonly round: (signal: AbortSignal) => Promise<void>,
    private readonly intervalMs: number,
    private readonly logger: Logger,
    private readonly onSuccess: () => void,
  ) {}

  wake(): void {
    this.wanted = true;
    this.woken?.();
  }

  async run(signal: AbortSignal): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      this.wanted = false;
      try {
        await this.round(signal);
        failures = 0;
        this.onSuccess();
      } catch (error) {
        if (signal.aborted) break;
        failures += 1;
        const retryInMs = backoffDelay(failures);
        this.logger.error(
          { side: this.name, err: error, failures, retryInMs },
          'sync round failed; retrying',
        );
        await sleep(retryInMs, undefined, { signal }).catch(() => undefined);
        continue;
      }
      if (!this.wanted) await this.idle(signal);
    }
  }

  private idle(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timeout);
        signal.removeEventListener('abort', done);
        this.woken = undefined;
        resolve();
      };
      const timeout = setTimeout(done, this.intervalMs);
      signal.addEventListener('abort', done, { once: true });
      this.woken = done;
    });
  }
}
