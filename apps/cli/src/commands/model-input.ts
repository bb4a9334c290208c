import { type CsvDataset, loadCsv } from '@dlfs/data/node';
import type { LoadedModel } from '@dlfs/model';
import { InputError } from '../errors.js';

/**
 * Reads the rows a saved model is to be applied to and scales them as in training. The feature
 * columns must be the ones the model was trained on, in the same order; a label column is read
 * (with the model's class mapping) when `label` names one, and otherwise skipped if present.
 */
export async function loadForModel(model: LoadedModel, path: string, label: string | null, requireLabel: boolean): Promise<CsvDataset> {
  const csv = await loadCsv(path, { label, requireLabel, ...(label === null ? {} : { classes: model.classes }) });
  const expected = model.preprocessing.featureNames;
  if (csv.featureNames.length !== expected.length) {
    throw new InputError(
      `${path}: has ${csv.featureNames.length} feature columns but the model was trained on ${expected.length} (${preview(expected)}); ` +
        'give it the same columns as the training CSV',
    );
  }
  const at = csv.featureNames.findIndex((name, i) => name !== expected[i]);
  if (at !== -1) {
    throw new InputError(
      `${path}: feature column ${at + 1} is "${csv.featureNames[at]}" but the model was trained with "${expected[at]}" there; give the columns in the ` +
        `training order`,
    );
  }
  model.scaler.transform(csv.x, csv.x);
  return csv;
}

function preview(names: readonly string[]): string {
  return names.length <= 4 ? names.join(', ') : `${names.slice(0, 3).join(', ')}, ..., ${names.at(-1)}`;
}
