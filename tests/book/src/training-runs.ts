import { loadMnistSample } from '@dlfs/datasets/node';
import { builtinLayers, type LayerSpec } from '@dlfs/layers';
import { type LabelledData, Network, type TrainOptions, type TrainResult, train } from '@dlfs/model';
import { Rng, Tensor } from '@dlfs/tensor';

let sample: ReturnType<typeof loadMnistSample> | undefined;

/** Rows [start, start + count) of the bundled MNIST sample (pixels in 0..1), as the book's normalize=True. */
export function digits(start: number, count: number): LabelledData {
  sample ??= loadMnistSample();
  return { x: new Tensor(sample.x.data.slice(start * 784, (start + count) * 784), [count, 784]), labels: sample.labels.slice(start, start + count) };
}

/** Builds `layers` (+ SoftmaxWithLoss) for 784 inputs and 10 classes from `seed`, trains it, and returns the network and the run. */
export function trainNet(
  layers: LayerSpec[],
  data: LabelledData,
  val: LabelledData | undefined,
  opts: Omit<TrainOptions, 'rng'> & { seed: number; inputShape?: number[] },
): { network: Network; result: TrainResult } {
  const { seed, inputShape, ...trainOpts } = opts;
  const network = Network.build(
    { ...(inputShape ? { inputShape } : {}), layers, loss: 'softmax-with-loss' },
    { registry: builtinLayers(), inputShape: [784], rng: new Rng(seed), classes: 10 },
  );
  const result = train(network, data, val, { ...trainOpts, rng: new Rng(seed + 1000), passRng: new Rng(seed + 2000) });
  return { network, result };
}

/** The mean loss of the last `k` epochs of a run. */
export function lastLoss(result: TrainResult, k = 3): number {
  const tail = result.history.slice(-k);
  return tail.reduce((s, h) => s + h.loss, 0) / tail.length;
}
