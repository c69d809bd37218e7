/**
 * Writes a (partition of a) data set back to CSV with exactly the schema's columns and label, so each simulated node
 * gets a private file it loads like any institution would load its own export.
 */
import { writeFileSync } from 'node:fs';
import type { Dataset } from '../common/schema/index.js';

function cell(v: string | number | null): string {
  if (v === null) return '';
  if (typeof v === 'number') return String(v);
  return /[",\n\r]/.test(v) || v.trim() !== v ? `"${v.replace(/"/g, '""')}"` : v;
}

export function datasetToCsv(ds: Dataset): string {
  const cols = ds.schema.features.map((f) => f.name);
  const label = ds.schema.label;
  const goodValue = label.good[0] ?? 'good';
  const lines = [[...cols, label.column].map((c) => cell(c)).join(',')];
  ds.rows.forEach((row, i) => {
    lines.push([...cols.map((c) => cell(row[c] ?? null)), cell(ds.labels[i] === 1 ? label.bad : goodValue)].join(','));
  });
  return lines.join('\n') + '\n';
}

export function writeDatasetCsv(path: string, ds: Dataset): void {
  writeFileSync(path, datasetToCsv(ds), { mode: 0o600 });
}
