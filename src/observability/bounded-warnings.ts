import type { Logger } from 'pino';

interface KindState {
  /** When the last line of this kind was written. */
  loggedAt: number;
  /** Occurrences since then that were counted instead of logged. */
  suppressed: number;
  /** The latest suppressed occurrence, which the summary line shows. */
  latest?: { readonly fields: Record<string, unknown>; readonly message: string };
  timer?: NodeJS.Timeout;
}

/**
 * Warnings that a failing dependency would otherwise write once per request or event: at most
 * one line per kind per interval, the first at once, and at the end of an interval in which more
 * came, one line with the count of what was left out (`suppressed`) and the latest occurrence's
 * fields. An outage under load thus costs a few lines a minute, however high the traffic.
 */
export class BoundedWarnings {
  private readonly kinds = new Map<string, KindState>();

  constructor(
    private readonly logger: Logger,
    private readonly intervalMs = 10_000,
  ) {}

  warn(kind: string, fields: Record<string, unknown>, message: string): void {
    const now = Date.now();
    const state = this.kinds.get(kind);
    if (!state) {
      this.kinds.set(kind, { loggedAt: now, suppressed: 0 });
      this.logger.warn({ kind, ...fields }, message);
      return;
    }
    if (now - state.loggedAt >= this.intervalMs && !state.timer) {
      state.loggedAt = now;
      this.logger.warn({ kind, ...fields }, message);
      return;
    }
    state.suppressed++;
    state.latest = { fields, message };
    state.timer ??= setTimeout(
      () => this.summarize(kind, state),
      state.loggedAt + this.intervalMs - now,
    );
    state.timer.unref();
  }

  /** The line for what an interval left out: how many, and the latest of them. */
  private summarize(kind: string, state: KindState): void {
    state.timer = undefined;
    if (state.suppressed === 0 || !state.latest) return;
    this.logger.warn(
      { kind, ...state.latest.fields, suppressed: state.suppressed },
      `${state.latest.message} (${state.suppressed} like it in the last ${this.intervalMs / 1000} s)`,
    );
    state.suppressed = 0;
    state.latest = undefined;
    state.loggedAt = Date.now();
  }
}
