import { LoadResult, percentile } from './load';

export type Align = 'left' | 'right';

export interface Column {
  readonly header: string;
  readonly align?: Align;
}

/** A markdown table whose cells are padded so it also reads well in a terminal. */
export function renderTable(
  columns: readonly Column[],
  rows: readonly (readonly string[])[],
): string {
  const widths = columns.map((column, index) =>
    Math.max(column.header.length, 3, ...rows.map((row) => (row[index] ?? '').length)),
  );
  const pad = (text: string, index: number) =>
    columns[index].align === 'right' ? text.padStart(widths[index]) : text.padEnd(widths[index]);
  const line = (cells: readonly string[]) =>
    `| ${columns.map((_, index) => pad(cells[index] ?? '', index)).join(' | ')} |`;
  const rule = `|${columns
    .map((column, index) =>
      column.align === 'right'
        ? `${'-'.repeat(widths[index] + 1)}:`
        : '-'.repeat(widths[index] + 2),
    )
    .join('|')}|`;
  return [line(columns.map((column) => column.header)), rule, ...rows.map(line)].join('\n');
}

/** The columns of every "measure, value, target, verdict" table the benchmark prints. */
export const MEASURE_COLUMNS: readonly Column[] = [
  { header: 'measure' },
  { header: 'value', align: 'right' },
  { header: 'target' },
  { header: '' },
];

export function formatNumber(value: number, digits = 0): string {
  return value.toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

export function formatMs(value: number): string {
  return value < 10 ? value.toFixed(2) : value < 100 ? value.toFixed(1) : value.toFixed(0);
}

/** A ratio column of a throughput table: numerator rps / denominator rps per row. */
export interface RatioColumn {
  readonly label: string;
  readonly numerator: string;
  readonly denominator: string;
  /** The issue's target for the ratio. */
  readonly atLeast?: number;
  /** The rows the target is for (all by default), and how the header names them. */
  readonly targetFor?: { readonly label: string; applies(row: ThroughputRow): boolean };
}

/** One row of a throughput table: a route at a connection count, its result per target. */
export interface ThroughputRow {
  readonly route: string;
  readonly connections: number;
  readonly results: ReadonlyMap<string, LoadResult>;
}

/**
 * The targets side by side, one row per route and connection count, with the ratios and their
 * targets; a footnote lists the rows with failed requests (their figures are marked `*`).
 */
export function throughputTable(
  targets: readonly string[],
  ratios: readonly RatioColumn[],
  rows: readonly ThroughputRow[],
): string {
  const columns: Column[] = [
    { header: 'route' },
    { header: 'conns', align: 'right' },
    ...targets.flatMap((name): Column[] => [
      { header: `${name} rps`, align: 'right' },
      { header: `${name} p50`, align: 'right' },
      { header: `${name} p99`, align: 'right' },
    ]),
    ...ratios.flatMap((ratio): Column[] => [
      { header: ratio.label, align: 'right' },
      ...(ratio.atLeast === undefined
        ? []
        : [
            {
              header:
                `target ≥ ${ratio.atLeast.toFixed(2)}` +
                (ratio.targetFor ? ` (${ratio.targetFor.label})` : ''),
            } satisfies Column,
          ]),
    ]),
  ];
  const failures: string[] = [];
  const cells = rows.map((row) => {
    const figures = targets.flatMap((name) => {
      const result = row.results.get(name);
      if (!result) return ['-', '-', '-'];
      if (result.failures > 0) {
        failures.push(
          `${row.route} c=${row.connections} ${name}: ${result.failures} failed requests ${JSON.stringify(result.statusCodes)}`,
        );
      }
      return [
        formatNumber(result.rps) + (result.failures > 0 ? '*' : ''),
        formatMs(result.p50),
        formatMs(result.p99),
      ];
    });
    const ratioCells = ratios.flatMap((ratio) => {
      const top = row.results.get(ratio.numerator);
      const bottom = row.results.get(ratio.denominator);
      const value = top && bottom ? top.rps / bottom.rps : undefined;
      const text = top && bottom ? `${value!.toFixed(2)} (${ratioSpread(top, bottom)})` : '-';
      if (ratio.atLeast === undefined) return [text];
      const verdict =
        value === undefined || (ratio.targetFor && !ratio.targetFor.applies(row))
          ? '-'
          : value >= ratio.atLeast
            ? 'met'
            : `missed by ${((1 - value / ratio.atLeast) * 100).toFixed(1)}%`;
      return [text, verdict];
    });
    return [row.route, String(row.connections), ...figures, ...ratioCells];
  });
  const lines = [renderTable(columns, cells)];
  if (failures.length > 0)
    lines.push('', '\\* had failed requests:', ...failures.map((f) => `- ${f}`));
  return lines.join('\n');
}

/** The lowest and highest ratio of two targets' slices measured side by side. */
export function ratioSpread(top: LoadResult, bottom: LoadResult): string {
  const ratios = top.runRps
    .map((rps, index) => rps / bottom.runRps[index])
    .filter((ratio) => Number.isFinite(ratio));
  if (ratios.length === 0) return '-';
  return `${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}`;
}

/** A progress line's account of a result: rps, each slice's rps, latency, failures. */
export function describeLoad(result: LoadResult): string {
  return (
    `${result.rps.toFixed(0)} rps (slices ${result.runRps.map((rps) => rps.toFixed(0)).join(', ')}), ` +
    `p50 ${formatMs(result.p50)} ms, p99 ${formatMs(result.p99)} ms` +
    (result.failures > 0
      ? `, ${result.failures} failures ${JSON.stringify(result.statusCodes)}`
      : '')
  );
}

/** The last column of a row with a target: `met`, or what missed it. */
export function verdict(miss: string | undefined): string {
  return miss === undefined ? 'met' : `MISSED (${miss})`;
}

/**
 * The p50, p99 (against `targetMs`) and max rows of one latency measurement, `sorted` ascending
 * in ms: the same three rows for every latency the benchmark reports.
 */
export function latencyRows(
  latency: { readonly name: string; readonly method: string; readonly maxNote?: string },
  sorted: readonly number[],
  targetMs: number,
  missing: number,
): string[][] {
  const p99 = percentile(sorted, 0.99);
  return [
    [`${latency.name} p50 (${latency.method})`, `${formatMs(percentile(sorted, 0.5))} ms`, '', ''],
    [
      `${latency.name} p99`,
      `${formatMs(p99)} ms`,
      `< ${targetMs} ms`,
      verdict(
        missing > 0
          ? `${missing} never arrived`
          : p99 >= targetMs
            ? `${formatMs(p99)} ms`
            : undefined,
      ),
    ],
    [
      `${latency.name} max (min ${formatMs(sorted[0] ?? Number.NaN)} ms${latency.maxNote ?? ''})`,
      `${formatMs(sorted[sorted.length - 1] ?? Number.NaN)} ms`,
      '',
      '',
    ],
  ];
}
