import { loadModelFile } from '@dlfs/model/node';
import { checkOutputFile, writeOutputFile } from '../output-paths.js';
import { loadRegistry } from '../plugins.js';
import { loadForModel } from './model-input.js';
import { startCliThreads } from '../threads.js';

export interface PredictFlags {
  model: string;
  data: string;
  out: string;
  json: boolean;
  plugin: string[];
  /** Kernel threads, the calling one counted (see startThreads). */
  threads: number;
}

/** Writes a Kaggle submission: `ImageId,Label`, ImageId counting rows from 1. */
export async function predictCommand(flags: PredictFlags): Promise<number> {
  checkOutputFile('--out', flags.out);
  const registry = await loadRegistry(flags.plugin);
  const { note } = await startCliThreads(flags.threads);
  if (note !== undefined) process.stderr.write(`note: ${note}\n`);
  const model = loadModelFile(flags.model, { registry });
  // Kaggle's test.csv has no label column; a file that has the model's one is read without it.
  const csv = await loadForModel(model, flags.data, model.preprocessing.label, false);
  const predicted = model.network.predictClasses(csv.x);
  const lines = ['ImageId,Label'];
  for (let i = 0; i < predicted.length; i++) lines.push(`${i + 1},${csvField(model.classes[predicted[i]!]!)}`);
  writeOutputFile('--out', flags.out, `${lines.join('\n')}\n`);
  if (flags.json) process.stdout.write(`${JSON.stringify({ rows: predicted.length, out: flags.out }, null, 2)}\n`);
  else process.stdout.write(`${predicted.length} predictions written to ${flags.out}\n`);
  return 0;
}

function csvField(value: string | number): string {
  const s = String(value);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
