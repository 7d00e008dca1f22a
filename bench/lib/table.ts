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

export function formatNumber(value: number, digits = 0): string {
  return value.toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

export function formatMs(value: number): string {
  return value < 10 ? value.toFixed(2) : value < 100 ? value.toFixed(1) : value.toFixed(0);
}
