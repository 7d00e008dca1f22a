import type { Logger } from 'pino';

type Level = 'warn' | 'error';

interface Window {
  suppressed: number;
  last: { level: Level; fields: Record<string, unknown>; message: string };
  readonly timer: NodeJS.Timeout;
}

/**
 * For failures that repeat once per event or request while a dependency is down (Redis, the
 * database, a webhook endpoint): the first occurrence of a kind is logged at once, the next ones
 * in the same interval are only counted, and when the interval ends one line reports how many
 * were suppressed, with the latest of them. A failure therefore costs at most one line per kind
 * per interval, however much traffic hits it, and the count still tells how much failed.
 * Written by hand: pino has no sampling, and the kind key (not the message) decides what repeats.
 */
export class RateLimitedLog {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly logger: Logger,
    private readonly intervalMs = 10_000,
  ) {}

  warn(kind: string, fields: Record<string, unknown>, message: string): void {
    this.log('warn', kind, fields, message);
  }

  error(kind: string, fields: Record<string, unknown>, message: string): void {
    this.log('error', kind, fields, message);
  }

  private log(level: Level, kind: string, fields: Record<string, unknown>, message: string): void {
    const open = this.windows.get(kind);
    if (open) {
      open.suppressed += 1;
      open.last = { level, fields, message };
      return;
    }
    this.logger[level]({ ...fields, kind }, message);
    this.openWindow(kind, { level, fields, message });
  }

  private openWindow(kind: string, last: Window['last']): void {
    const timer = setTimeout(() => this.closeWindow(kind), this.intervalMs);
    // A pending summary never keeps the process alive.
    timer.unref();
    this.windows.set(kind, { suppressed: 0, last, timer });
  }

  private closeWindow(kind: string): void {
    const window = this.windows.get(kind);
    this.windows.delete(kind);
    if (!window || window.suppressed === 0) return;
    const { level, fields, message } = window.last;
    this.logger[level](
      { ...fields, kind, suppressed: window.suppressed, intervalMs: this.intervalMs },
      `${message} (repeated)`,
    );
    // Still failing: the next interval counts again, so the rate stays bounded.
    this.openWindow(kind, window.last);
  }

  /** Writes what is still counted, for a clean shutdown. */
  flush(): void {
    for (const [kind, window] of [...this.windows]) {
      clearTimeout(window.timer);
      this.closeWindow(kind);
      const reopened = this.windows.get(kind);
      if (reopened) clearTimeout(reopened.timer);
      this.windows.delete(kind);
    }
  }
}
