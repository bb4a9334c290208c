import { readFileSync } from 'node:fs';
import type { LayerRegistry } from '@dlfs/layers';
import type { LossRegistry } from '@dlfs/losses';
import { writeFileAtomic } from '@dlfs/data/node';
import { type LoadedModel, type ModelContents, ModelFileError, parseModel, serializeModel } from './model-file.js';

export { writeFileAtomic } from '@dlfs/data/node';
export type { LoadedModel, ModelContents } from './model-file.js';

/** Saves the model to `path` atomically: an interrupted save never replaces a good file with half a one. */
export function saveModelFile(path: string, contents: ModelContents): void {
  writeFileAtomic(path, serializeModel(contents));
}

/** Reads and validates a model file; every failure names the file and what is wrong. */
export function loadModelFile(path: string, opts: { registry: LayerRegistry; losses?: LossRegistry }): LoadedModel {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ModelFileError(
      path,
      code === 'ENOENT' ? 'no such file; train a model first with "dlfs train --out FILE"' : `cannot be read (${code ?? (err as Error).message})`,
    );
  }
  return parseModel(text, { ...opts, source: path });
}
