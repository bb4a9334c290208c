import { CsvError } from '@dlfs/data';
import { type CsvDataset, loadCsv } from '@dlfs/data/node';
import type { LoadedModel } from '@dlfs/model';
import { type Tensor, zeros } from '@dlfs/tensor';
import { InputError } from '../errors.js';

/**
 * Reads the rows a saved model is to be applied to and scales them as in training. Feature
 * columns are matched to the model's by their header names, in any order; a column the model
 * was not trained on (an `id`) is left out with a note, a missing one is an error naming it. A
 * label column is read (with the model's class mapping) when `label` names one, and otherwise
 * skipped if present. The returned `x` holds the model's features in the model's order.
 */
export async function loadForModel(
  model: LoadedModel,
  path: string,
  label: string | null,
  requireLabel: boolean,
  note: (text: string) => void = (text) => process.stderr.write(`note: ${text}\n`),
): Promise<CsvDataset> {
  const expected = model.preprocessing.featureNames;
  let csv: CsvDataset;
  try {
    csv = await loadCsv(path, { label, requireLabel, ...(label === null ? {} : { classes: model.classes }) });
  } catch (err) {
    throw unreadableExtraColumn(err, expected, label) ?? err;
  }
  const x = modelFeatures(csv, expected, path, note);
  model.scaler.transform(x, x);
  return { ...csv, x, featureNames: [...expected] };
}

/** The file's features in the model's order: `csv.x` itself when they are already (Kaggle's test.csv), else a new tensor. */
function modelFeatures(csv: CsvDataset, expected: readonly string[], path: string, note: (text: string) => void): Tensor {
  const names = csv.featureNames;
  if (names.length === expected.length && names.every((name, i) => name === expected[i])) return csv.x;
  const position = new Map(names.map((name, i) => [name, i]));
  const missing = expected.filter((name) => !position.has(name));
  const known = new Set(expected);
  const extra = names.filter((name) => !known.has(name));
  if (missing.length > 0) {
    const counts =
      names.length === expected.length ? '' : `has ${names.length} feature columns but the model was trained on ${expected.length} (${preview(expected)}); `;
    const lacks = missing.length === 1 ? `the column ${quoted(missing)}` : `${missing.length} of the model's columns: ${quoted(missing)}`;
    const instead =
      extra.length === 0
        ? ''
        : ` (the file has ${quoted(extra)} instead, which the model does not know: ${extra.length === 1 ? 'is it' : 'are they'} renamed or misspelt?)`;
    throw new InputError(
      `${path}: ${counts}it lacks ${lacks}${instead}; give it every feature column of the training CSV, named as there (in any order; ` +
        'other columns are ignored)',
    );
  }
  if (extra.length > 0) {
    note(
      `${path}: ignoring ${extra.length === 1 ? 'column' : `${extra.length} columns`} ${quoted(extra)}, which the model was not trained on; ` +
        `it reads the ${expected.length} columns it was trained on, by name`,
    );
  }
  // Row by row, the file's columns picked into the model's order.
  const rows = csv.rows;
  const width = names.length;
  const features = expected.length;
  const from = Int32Array.from(expected, (name) => position.get(name)!);
  const x = zeros([rows, features], 'float32');
  const src = csv.x.data;
  const dst = x.data;
  for (let r = 0; r < rows; r++) {
    const s = r * width;
    const d = r * features;
    for (let j = 0; j < features; j++) dst[d + j] = src[s + from[j]!]!;
  }
  return x;
}

/**
 * A column the model does not use that is not numbers (an id such as "img_001") stops loadCsv,
 * which reads every column but the label as a number: an error that says the column is not
 * needed and how to drop it. Undefined for any other error.
 */
function unreadableExtraColumn(err: unknown, expected: readonly string[], label: string | null): InputError | undefined {
  if (!(err instanceof CsvError) || (err.code !== 'NOT_A_NUMBER' && err.code !== 'EMPTY_VALUE')) return undefined;
  const column = err.column;
  if (column === undefined || column.name === label || expected.includes(column.name)) return undefined;
  const what = err.code === 'EMPTY_VALUE' ? 'an empty value' : 'a value that is not a number';
  return new InputError(
    `${err.file}, line ${err.line}, column ${column.index} ${JSON.stringify(column.name)}: the model was not trained on this column, so it would be ` +
      `ignored, but it holds ${what}, and dlfs reads every column but the label as numbers; remove the column from the file (for example ` +
      `cut -d, --complement -f${column.index} ${err.file} > features.csv, when no value holds a comma, or pandas' ` +
      `df.drop(columns=[${JSON.stringify(column.name)}]))`,
  );
}

function quoted(names: readonly string[]): string {
  return preview(names.map((name) => JSON.stringify(name)));
}

function preview(names: readonly string[]): string {
  return names.length <= 4 ? names.join(', ') : `${names.slice(0, 3).join(', ')}, ..., ${names.at(-1)}`;
}
