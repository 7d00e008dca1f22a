/** The benchmark's report: the throughput table, the section tables and the startup figures. */
import { cpus } from 'node:os';
import {
  Column,
  formatMs,
  formatNumber,
  renderTable,
  throughputTable,
  MEASURE_COLUMNS,
} from './lib/table';
import { SECTIONS, SETTINGS, TARGETS_OF_STARTUP } from './settings';
import { Cell, SELECTED_RATIOS, SELECTED_TARGETS, Scenario, Verification } from './http-section';

export interface StartupFigures {
  readonly firstStartMs: number;
  readonly readyMs: number[];
  readonly idleRssMiB: number;
}

export interface ReportInput {
  readonly postgresVersion: string;
  readonly databaseKind: string;
  readonly cells: readonly Cell[];
  readonly startup: StartupFigures;
  readonly loadedRssMiB: number;
  readonly referenceRss: readonly { name: string; rss: number }[];
  readonly verifications: readonly { scenario: Scenario; verification: Verification }[];
  /** The GraphQL section's tables and checks, when it ran. */
  readonly graphqlLines?: readonly string[];
  /** The webhook section's table and checks, when it ran. */
  readonly webhookLines?: readonly string[];
  /** The OAuth section's tables and checks, when it ran. */
  readonly oauthLines?: readonly string[];
  readonly uiLines?: readonly string[];
  readonly cacheMemoryLines?: readonly string[];
  readonly storesLines?: readonly string[];
  readonly elapsedSeconds: number;
}

export function report(input: ReportInput): string {
  const { cells, startup } = input;
  const cpu = cpus();
  const lines = [
    '',
    '## Dukkadee benchmark',
    '',
    `Node ${process.version}, ${cpu.length} CPU (${cpu[0]?.model.trim() ?? 'unknown'}), ` +
      `PostgreSQL ${input.postgresVersion} (${input.databaseKind}), pool ${SETTINGS.poolSize} per server.`,
    `One store with ${SETTINGS.seed.products} products × ${SETTINGS.seed.variantsPerProduct} variants ` +
      `(and one more product whose one variant holds ${formatNumber(SETTINGS.seed.orderStock)} units, for the orders). ` +
      `Per cell and target: ${SETTINGS.warmupSeconds} s warm-up, then ${SETTINGS.seconds} s measured ` +
      `in ${SETTINGS.rounds} slices alternating between the targets; autocannon in the bench ` +
      'process, one request at a time per connection. Ratios: rps over the whole cell ' +
      '(lowest–highest of the side-by-side slices). Before any timing, the targets of each ' +
      'route answer it with the same bytes. Paced rows are an open loop: requests evenly spaced ' +
      'at the rate, over at most `conns` keep-alive connections, each latency counted from when ' +
      "the request was due (bench/lib/paced-load.ts; autocannon sends each second's share back " +
      'to back in bursts, which measures its own queue). Order rows run by request count (sized from a warm-up) so that every ' +
      'request is answered before the orders are counted.',
    ...(SECTIONS.has('http')
      ? SELECTED_TARGETS.map((target) => `- ${target.name}: ${target.description}`)
      : []),
  ];
  if (SECTIONS.has('http')) {
    lines.push('', '### Throughput (rps of 2xx answers; latency in ms)', '');
    lines.push(
      throughputTable(
        SELECTED_TARGETS.map((target) => target.name),
        SELECTED_RATIOS,
        cells
          .filter((cell) => !cell.scenario.section)
          .map((cell) => ({ ...cell, route: cell.scenario.name })),
      ),
    );
  }
  for (const section of new Set(cells.flatMap((cell) => cell.scenario.section ?? []))) {
    lines.push('', `### ${section}`, '');
    lines.push(sectionTable(cells.filter((cell) => cell.scenario.section === section)));
    const checks = input.verifications.filter(({ scenario }) => scenario.section === section);
    for (const { scenario, verification } of checks) {
      lines.push(
        '',
        `Afterwards, ${scenario.name}: ${verification.ok ? 'verified' : 'VERIFICATION FAILED'}`,
        ...verification.lines.map((line) => `- ${line}`),
      );
    }
  }
  if (input.graphqlLines) lines.push('', '### GraphQL (full app)', '', ...input.graphqlLines);
  if (input.webhookLines)
    lines.push('', '### Webhook delivery (full app)', '', ...input.webhookLines);
  if (input.oauthLines) lines.push('', '### OAuth (full app)', '', ...input.oauthLines);
  if (input.cacheMemoryLines) lines.push('', ...input.cacheMemoryLines);
  if (input.storesLines) lines.push('', ...input.storesLines);
  if (input.uiLines) lines.push('', '### Hosted pages (full app)', '', ...input.uiLines);

  const sorted = [...startup.readyMs].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
  lines.push(
    '',
    '### Startup and memory (full app, `node dist/src/main.js`, external DATABASE_URL)',
    '',
    renderTable(MEASURE_COLUMNS, [
      [
        `time to ready, migrated database (median of ${sorted.length}; ${sorted.map((ms) => ms.toFixed(0)).join(', ')} ms)`,
        `${median.toFixed(0)} ms`,
        `< ${TARGETS_OF_STARTUP.readyMs} ms`,
        verdict(median < TARGETS_OF_STARTUP.readyMs),
      ],
      [
        'time to ready, first start on an empty database (migrations)',
        `${startup.firstStartMs.toFixed(0)} ms`,
        '',
        '',
      ],
      [
        `idle RSS, ${SETTINGS.settleMs / 1000} s after ready`,
        `${startup.idleRssMiB.toFixed(1)} MiB`,
        `< ${TARGETS_OF_STARTUP.idleRssMiB} MiB`,
        verdict(startup.idleRssMiB < TARGETS_OF_STARTUP.idleRssMiB),
      ],
      ...(SECTIONS.has('http')
        ? [['RSS after the HTTP load', `${input.loadedRssMiB.toFixed(1)} MiB`, '', '']]
        : []),
      ...input.referenceRss.map(({ name, rss }) => [
        `${name} server idle RSS (reference)`,
        `${rss.toFixed(1)} MiB`,
        '',
        '',
      ]),
    ]),
    '',
    `Bench wall time ${input.elapsedSeconds.toFixed(0)} s.`,
  );
  return lines.join('\n');
}

/** One row per target and cell: the load, the rate of counted answers, latency, the goal. */
export function sectionTable(cells: readonly Cell[]): string {
  const columns: Column[] = [
    { header: 'route' },
    { header: 'target' },
    { header: 'conns', align: 'right' },
    { header: 'load' },
    { header: 'counts' },
    { header: 'achieved/s', align: 'right' },
    { header: 'p50 ms', align: 'right' },
    { header: 'p99 ms', align: 'right' },
    { header: 'max ms', align: 'right' },
    { header: 'other answers' },
    { header: 'goal' },
    { header: '' },
  ];
  const rows = cells.flatMap((cell) =>
    [...cell.results].map(([target, result]) => {
      const { scenario } = cell;
      const miss = scenario.goal?.miss(result);
      const others = Object.entries(result.statusCodes).filter(([code]) =>
        scenario.status === undefined ? !code.startsWith('2') : code !== String(scenario.status),
      );
      const errors = result.failures - others.reduce((total, [, count]) => total + count, 0);
      return [
        scenario.name,
        target,
        String(cell.connections),
        scenario.rate !== undefined
          ? `${scenario.rate}/s for ${formatNumber(result.seconds, 1)} s`
          : `closed loop, ${formatNumber(result.ok + result.failures)} requests in ${formatNumber(result.seconds, 1)} s`,
        scenario.status === undefined ? '2xx' : String(scenario.status),
        formatNumber(result.rps, 1),
        formatMs(result.p50),
        formatMs(result.p99),
        formatMs(result.latencies[result.latencies.length - 1] ?? Number.NaN),
        [
          ...others.map(([code, count]) => `${count}× ${code}`),
          ...(errors > 0 ? [`${errors} errors/timeouts`] : []),
        ].join(', ') || 'none',
        scenario.goal?.label ?? '',
        scenario.goal ? (miss === undefined ? 'met' : `MISSED (${miss})`) : '',
      ];
    }),
  );
  return renderTable(columns, rows);
}
