import { ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ServerProcessOptions {
  /** Shown in progress lines and errors. */
  readonly name: string;
  /** The script to run with this Node binary, relative to `cwd`. */
  readonly script: string;
  /** Node options before the script (e.g. `--cpu-prof`, which NODE_OPTIONS refuses). */
  readonly nodeArgs?: readonly string[];
  readonly cwd: string;
  /** The child's whole environment: nothing is inherited from the benchmark's. */
  readonly env: Record<string, string>;
  /** The child's stdout and stderr go to this file (never the terminal). */
  readonly logFile: string;
  readonly port: number;
}

/** A server under test, in its own process so it never shares an event loop with the load. */
export class ServerProcess {
  readonly url: string;
  private readonly exited: Promise<number | null>;
  private exitCode: number | null | undefined;

  private constructor(
    readonly options: ServerProcessOptions,
    private readonly child: ChildProcess,
    /** `performance.now()` just before the spawn. */
    readonly spawnedAt: number,
  ) {
    this.url = `http://127.0.0.1:${options.port}`;
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        this.exitCode = code ?? (signal ? -1 : null);
        resolve(code);
      }),
    );
  }

  static start(options: ServerProcessOptions): ServerProcess {
    const log = openSync(options.logFile, 'a');
    try {
      const spawnedAt = performance.now();
      const child = spawn(process.execPath, [...(options.nodeArgs ?? []), options.script], {
        cwd: options.cwd,
        env: options.env,
        stdio: ['ignore', log, log],
      });
      return new ServerProcess(options, child, spawnedAt);
    } finally {
      closeSync(log);
    }
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error(`${this.options.name} has no pid`);
    return this.child.pid;
  }

  get running(): boolean {
    return this.exitCode === undefined;
  }

  /**
   * Polls `path` every 10 ms until it answers 200, and answers the milliseconds from the spawn
   * until that answer arrived.
   */
  async waitUntilReady(path: string, timeoutMs = 60_000): Promise<number> {
    const deadline = this.spawnedAt + timeoutMs;
    while (performance.now() < deadline) {
      if (!this.running) {
        throw new Error(
          `${this.options.name} exited with ${this.exitCode} before it was ready:\n${this.logTail()}`,
        );
      }
      if ((await probe(`${this.url}${path}`)) === 200) return performance.now() - this.spawnedAt;
      await sleep(10);
    }
    throw new Error(
      `${this.options.name} was not ready within ${timeoutMs} ms:\n${this.logTail()}`,
    );
  }

  /** Resident set size in MiB, from /proc/<pid>/status. */
  rssMiB(): number {
    const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
    if (!match) throw new Error(`No VmRSS for ${this.options.name}`);
    return Number(match[1]) / 1024;
  }

  /**
   * CPU time of all its threads so far (user and system), in ms, from /proc/<pid>/stat: in clock
   * ticks, 10 ms each on Linux (USER_HZ is 100).
   */
  cpuMs(): number {
    const stat = readFileSync(`/proc/${this.pid}/stat`, 'utf8');
    // Fields after the command (which may hold spaces) start with the state, field 3.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[14 - 3]) + Number(fields[15 - 3])) * 10;
  }

  /** Its soft limit on open files (sockets included). */
  openFilesLimit(): number {
    return openFilesLimit(this.pid);
  }

  /** SIGTERM (the servers shut down gracefully on it), then SIGKILL after 10 s. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const killed = await Promise.race([this.exited.then(() => false), sleep(10_000, true)]);
    if (killed && this.running) {
      this.child.kill('SIGKILL');
      await this.exited;
    }
  }

  /** SIGKILL at once: a crash, with no shutdown at all. */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  logTail(lines = 20): string {
    try {
      return readFileSync(this.options.logFile, 'utf8')
        .trimEnd()
        .split('\n')
        .slice(-lines)
        .join('\n');
    } catch {
      return '(no log)';
    }
  }
}

/** The status of one GET, or 0 when the connection fails or takes over a second. */
function probe(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(url, { agent: false, timeout: 1000 }, (response) => {
      response.resume();
      response.once('end', () => resolve(response.statusCode ?? 0));
      response.once('error', () => resolve(0));
    });
    req.once('timeout', () => req.destroy());
    req.once('error', () => resolve(0));
    req.end();
  });
}

/** A process's soft limit on open files (sockets included), from /proc/<pid>/limits. */
export function openFilesLimit(pid: number | 'self'): number {
  const limits = readFileSync(`/proc/${pid}/limits`, 'utf8');
  const match = /^Max open files\s+(\d+|unlimited)\s/m.exec(limits);
  if (!match) throw new Error(`No open files limit for process ${pid}`);
  return match[1] === 'unlimited' ? Number.POSITIVE_INFINITY : Number(match[1]);
}
