import { loadModelFile } from '@dlfs/model/node';
import { loadRegistry } from '../plugins.js';
import { loadForModel } from './model-input.js';

export interface EvaluateFlags {
  model: string;
  data: string;
  label?: string;
  json: boolean;
  plugin: string[];
}

/** Accuracy, loss and per-class accuracy of a saved model on a labelled CSV. */
export async function evaluateCommand(flags: EvaluateFlags): Promise<number> {
  const registry = await loadRegistry(flags.plugin);
  const model = loadModelFile(flags.model, { registry });
  const label = flags.label ?? model.preprocessing.label ?? 'label';
  const csv = await loadForModel(model, flags.data, label, true);
  const labels = csv.labels!;
  const predicted = model.network.predictClasses(csv.x);
  const classes = model.classes.length;
  const hits = new Int32Array(classes);
  const counts = new Int32Array(classes);
  let correct = 0;
  for (let i = 0; i < labels.length; i++) {
    counts[labels[i]!]!++;
    if (predicted[i] === labels[i]) {
      hits[labels[i]!]!++;
      correct++;
    }
  }
  const accuracy = labels.length === 0 ? 0 : correct / labels.length;
  const perClass = model.classes.map((c, k) => ({ class: c, rows: counts[k]!, accuracy: counts[k]! === 0 ? null : hits[k]! / counts[k]! }));
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ rows: labels.length, accuracy, perClass }, null, 2)}\n`);
  } else {
    process.stdout.write(`rows      ${labels.length}\naccuracy  ${accuracy.toFixed(4)}\n\nper class\n`);
    for (const p of perClass)
      process.stdout.write(`  ${String(p.class).padEnd(8)} ${p.accuracy === null ? '   -  ' : p.accuracy.toFixed(4)}  (${p.rows} rows)\n`);
  }
  return 0;
}
