/** The speed bench's table (stdout) and its JSON record (bench/results/<stamp>.json). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MiB } from './util';

export interface Row {
  section: 'backup' | 'restore' | 'overhead';
  name: string;
  ms: number;
  /** stored object size, for backups */
  storedBytes?: number;
  peakRss?: number;
  note?: string;
}

export interface Machine { cores: number; loadBefore: number[]; loadAfter: number[]; node: string; pgDump?: string }

/**
 * Ratios are this row's wall time over the baseline's: below 1.00x is faster than the baseline. With `entities`
 * (rows, nodes + relationships...), an entities/s column follows MB/s.
 */
export function printTable(rows: Row[], databaseBytes: number, baselines: Record<'backup' | 'restore', string[]>, entities?: number): string {
  const lines: string[] = [];
  for (const section of ['backup', 'restore', 'overhead'] as const) {
    const own = rows.filter((r) => r.section === section);
    if (!own.length) continue;
    const bases = section === 'overhead' ? [] : baselines[section].map((n) => own.find((r) => r.name === n)).filter((r): r is Row => !!r);
    const head = ['row', 'wall s', 'MB/s', ...(entities ? ['entities/s'] : []), 'stored MiB', 'peak RSS MiB', ...bases.map((b) => `vs ${b.name}`)];
    // An empty cycle moves no data: rates mean nothing there.
    const rate = (r: Row, amount: number) => (section === 'overhead' ? '' : (amount / (r.ms / 1000)).toFixed(0));
    const body = own.map((r) => [
      r.name, (r.ms / 1000).toFixed(1), rate(r, databaseBytes / 1e6), ...(entities ? [rate(r, entities)] : []),
      r.storedBytes === undefined ? '' : (r.storedBytes / MiB).toFixed(0), r.peakRss ? (r.peakRss / MiB).toFixed(0) : '',
      ...bases.map((b) => `${(r.ms / b.ms).toFixed(2)}x`),
    ]);
    lines.push(`\n${section}`, markdownTable(head, body));
    for (const r of own.filter((x) => x.note)) lines.push(`- ${r.name}: ${r.note}`);
  }
  return lines.join('\n');
}

function markdownTable(head: string[], body: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  return [line(head), `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`, ...body.map(line)].join('\n');
}

export function writeResults(dir: string, record: Record<string, unknown>, name = 'pg-speed'): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
  return file;
}
