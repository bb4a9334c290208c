import { join } from 'node:path';
import { builtinLayers } from '@dlfs/layers';
import { Network } from '@dlfs/model';
import { saveModelFile } from '@dlfs/model/node';
import { Rng } from '@dlfs/tensor';

/**
 * A model file whose predictions can be worked out by hand: one affine layer on the features
 * `x` and `y`, unscaled, whose scores for (setosa, versicolor, virginica) are (x, y, 0.5). So a
 * row is setosa when x is the largest of x, y and 0.5, versicolor when y is, virginica when
 * both are below 0.5.
 */
export function writeHandModel(dir: string, file = 'hand.json'): string {
  const network = Network.build(
    { layers: [{ type: 'affine', units: 3 }], loss: 'softmax-with-loss' },
    { registry: builtinLayers(), inputShape: [2], rng: new Rng(0), dtype: 'float32', classes: 3 },
  );
  // 5.6.2: scores = x · W + b, W of shape [2, 3].
  network.params.W1!.data.set([1, 0, 0, 0, 1, 0]);
  network.params.b1!.data.set([0, 0, 0.5]);
  saveModelFile(join(dir, file), {
    network,
    classes: ['setosa', 'versicolor', 'virginica'],
    preprocessing: { scaler: { type: 'none' }, label: 'species', featureNames: ['x', 'y'] },
    training: {},
  });
  return file;
}
