import { createScaler, gatherLabels, gatherRows, trainValSplit } from '@dlfs/data';
import type { LabelledData } from '@dlfs/model';
import { Rng, Tensor, zeros } from '@dlfs/tensor';
import type { MnistAsset } from '../training/mnist-asset.js';

/** Held out as the test digits, as the chapter-5 demo holds out its validation digits. */
export const TEST_FRACTION = 0.1;
/** One split for every run, so that runs with different settings see the same digits. */
const SPLIT_SEED = 0;

export interface Digits {
  train: LabelledData;
  test: LabelledData;
}

/**
 * The bundled MNIST sample as x / 255 in WASM memory: the training digits (the first `trainRows`
 * of a fixed shuffle, all of them when not given) and the held-out test digits.
 */
export function prepareDigits(asset: MnistAsset, trainRows?: number): Digits {
  const { rows, pixelsPerRow } = asset;
  const x = new Tensor(Float32Array.from(asset.pixels), [rows, pixelsPerRow]);
  const split = trainValSplit(rows, TEST_FRACTION, new Rng(SPLIT_SEED));
  const trainIdx = trainRows === undefined ? split.train : split.train.subarray(0, Math.min(trainRows, split.train.length));
  const trainX = gatherRows(x, trainIdx, zeros([trainIdx.length, pixelsPerRow], 'float32'));
  const testX = gatherRows(x, split.val, zeros([split.val.length, pixelsPerRow], 'float32'));
  const scaler = createScaler('255').fit(trainX);
  scaler.transform(trainX, trainX);
  scaler.transform(testX, testX);
  return {
    train: { x: trainX, labels: gatherLabels(asset.labels, trainIdx) },
    test: { x: testX, labels: gatherLabels(asset.labels, split.val) },
  };
}
