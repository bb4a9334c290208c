import { readFileSync } from 'node:fs';
import type { LayerRegistry } from '@dlfs/layers';
import { writeFileAtomic } from './atomic-write.js';
import { type LoadedModel, type ModelContents, ModelFileError, parseModel, serializeModel } from './model-file.js';

export { writeFileAtomic } from './atomic-write.js';
export type { LoadedModel, ModelContents } from './model-file.js';

/** Saves the model to `path` atomically: an interrupted save never replaces a good file with half a one. */
export function saveModelFile(path: string, contents: ModelContents): void {
  writeFileAtomic(path, serializeModel(contents));
}

/** Reads and validates a model file; every failure names the file and what is wrong. */
export function loadModelFile(path: string, opts: { registry: LayerRegistry }): LoadedModel {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ModelFileError(path, code === 'ENOENT' ? 'no such file; train a model first with "dlfs train --out FILE"' : `cannot be read (${code ?? (err as Error).message})`);
  }
  return parseModel(text, { registry: opts.registry, source: path });
}
