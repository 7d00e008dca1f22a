import { SingleBar } from 'cli-progress';
import type { MigrationProgress } from '../database/migration-runner';

export interface ProgressDisplay {
  update(progress: MigrationProgress): void;
  stop(): void;
}

/** How often plain lines report, at most: every 5% of the stores, or every 5 s. */
const LINE_EVERY_SHARE = 0.05;
const LINE_EVERY_MS = 5_000;

/**
 * `npm run migrate`'s progress over the store schemas: a bar with the rate and an ETA on a
 * terminal (cli-progress), plain lines elsewhere (a log file, CI), which a bar's carriage returns
 * would garble.
 */
export function migrationProgress(stream: NodeJS.WriteStream): ProgressDisplay {
  return stream.isTTY ? terminalBar(stream) : plainLines(stream);
}

function terminalBar(stream: NodeJS.WriteStream): ProgressDisplay {
  const bar = new SingleBar({
    stream,
    format:
      'store schemas {bar} {value}/{total} ({percentage}%) | {failed} failed | {rate}/s | ETA {eta_formatted}',
    hideCursor: true,
    etaBuffer: 200,
  });
  let started = false;
  const startedAt = Date.now();
  return {
    update(progress) {
      const values = { failed: progress.failed, rate: rateOf(progress.done, startedAt) };
      if (!started) bar.start(progress.total, 0, values);
      started = true;
      bar.update(progress.done + progress.failed, values);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

function plainLines(stream: NodeJS.WriteStream): ProgressDisplay {
  const startedAt = Date.now();
  let lastShare = 0;
  let lastAt = startedAt;
  return {
    update({ done, failed, total }) {
      const seen = done + failed;
      const share = total === 0 ? 1 : seen / total;
      const now = Date.now();
      if (seen < total && share - lastShare < LINE_EVERY_SHARE && now - lastAt < LINE_EVERY_MS)
        return;
      lastShare = share;
      lastAt = now;
      const rate = rateOf(done, startedAt);
      const left = total - seen;
      const eta = rate > 0 ? `, ETA ${Math.ceil(left / rate)} s` : '';
      stream.write(
        `store schemas: ${seen}/${total} (${Math.floor(share * 100)}%), ${failed} failed, ${rate}/s${eta}\n`,
      );
    },
    stop() {},
  };
}

function rateOf(done: number, startedAt: number): number {
  const seconds = (Date.now() - startedAt) / 1000;
  return seconds > 0 ? Math.round(done / seconds) : 0;
}
