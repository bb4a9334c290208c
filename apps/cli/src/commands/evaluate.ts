import { loadModelFile } from '@dlfs/model/node';
import { loadRegistry } from '../plugins.js';
import { loadForModel } from './model-input.js';
import { startCliThreads } from '../threads.js';

export interface EvaluateFlags {
  model: string;
  data: string;
  label?: string;
  json: boolean;
  plugin: string[];
  /** Kernel threads, the calling one counted (see startThreads). */
  threads: number;
}

/** Accuracy, per-class accuracy and the confusion matrix of a saved model on a labelled CSV. */
export async function evaluateCommand(flags: EvaluateFlags): Promise<number> {
  const registry = await loadRegistry(flags.plugin);
  const { note } = await startCliThreads(flags.threads);
  if (note !== undefined) process.stderr.write(`note: ${note}\n`);
  const model = loadModelFile(flags.model, { registry });
  const label = flags.label ?? model.preprocessing.label ?? 'label';
  const csv = await loadForModel(model, flags.data, label, true);
  const labels = csv.labels!;
  const predicted = model.network.predictClasses(csv.x);
  const classes = model.classes.length;
  // matrix[t][p]: rows whose true class is t and predicted class is p.
  const matrix = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < labels.length; i++) matrix[labels[i]!]![predicted[i]!]!++;
  const counts = matrix.map((row) => row.reduce((a, b) => a + b, 0));
  const hits = matrix.map((row, k) => row[k]!);
  const correct = hits.reduce((a, b) => a + b, 0);
  const accuracy = labels.length === 0 ? 0 : correct / labels.length;
  const perClass = model.classes.map((c, k) => ({ class: c, rows: counts[k]!, accuracy: counts[k]! === 0 ? null : hits[k]! / counts[k]! }));
  if (flags.json) {
    const confusion = { classes: model.classes, matrix };
    process.stdout.write(`${JSON.stringify({ rows: labels.length, accuracy, perClass, confusion }, null, 2)}\n`);
  } else {
    const width = Math.max(8, ...model.classes.map((c) => String(c).length));
    process.stdout.write(`rows      ${labels.length}\naccuracy  ${accuracy.toFixed(4)}\n\nper class\n`);
    for (const p of perClass)
      process.stdout.write(`  ${String(p.class).padEnd(width)} ${p.accuracy === null ? '   -  ' : p.accuracy.toFixed(4)}  (${p.rows} rows)\n`);
    process.stdout.write(`\n${formatConfusion(model.classes, matrix)}`);
  }
  return 0;
}

/** Widest table whose columns are named by the class values; wider tables name them by class index. */
const MAX_TABLE_WIDTH = 120;

/**
 * The confusion matrix as an aligned table: one row per true class, one column per predicted
 * class, labelled with the class values; when those would make the table too wide (long text
 * labels), the columns are numbered and each row gives its number beside its label.
 */
export function formatConfusion(classes: readonly (string | number)[], matrix: readonly (readonly number[])[]): string {
  const names = classes.map(String);
  const digits = Math.max(1, ...matrix.flat().map((n) => String(n).length));
  const rowWidth = Math.max(...names.map((n) => n.length));
  const named = 2 + rowWidth + names.length * (2 + Math.max(digits, rowWidth)) <= MAX_TABLE_WIDTH;
  const heads = named ? names : names.map((_, k) => String(k));
  const rowNames = named ? names : names.map((n, k) => `${String(k).padStart(String(names.length - 1).length)}  ${n}`);
  const first = Math.max(...rowNames.map((n) => n.length));
  const cell = Math.max(digits, ...heads.map((h) => h.length));
  const line = (head: string, cells: readonly string[]): string => `  ${head.padEnd(first)}${cells.map((c) => `  ${c.padStart(cell)}`).join('')}\n`;
  let out = 'confusion matrix (rows: true class, columns: predicted class)\n';
  out += line('', heads);
  matrix.forEach((row, k) => {
    out += line(rowNames[k]!, row.map(String));
  });
  return out;
}
