import type { ScalerJson } from '@dlfs/data';
import { type LoadedModel, NAMED_SPECS, type NetworkSpec } from '@dlfs/model';
import { afterAll, describe, expect, it } from 'vitest';
import { dlfsPredict, maxDifference, RUNTIMES, rawRows, runOnnx, savedModel } from './test-support/index.js';
import { toOnnx } from './to-onnx.js';

// Every exported model runs in ONNX Runtime itself (the native onnxruntime-node and the WASM
// onnxruntime-web, both in Node), on raw rows, against dlfs's own prediction path: the same
// probabilities within 1e-5 and the same labels.

const TOLERANCE = 1e-5;
const ROWS = 16;
const DIGITS = Array.from({ length: 10 }, (_, k) => k);
const ABC = ['a', 'b', 'c'];
const PIXELS: ScalerJson = { type: '255' };
/** The largest difference seen per model and runtime, printed at the end. */
const seen: string[] = [];

afterAll(() => {
  console.info(`largest |probability difference| per model and runtime:\n${seen.join('\n')}`);
});

async function expectSamePredictions(name: string, model: LoadedModel, raw: Float32Array, rows = ROWS): Promise<void> {
  const bytes = toOnnx(model);
  const want = dlfsPredict(model, raw, rows);
  for (const runtime of RUNTIMES) {
    const got = await runOnnx(runtime, bytes, raw, rows);
    const diff = maxDifference(got.probabilities, want.probabilities);
    seen.push(`${name} (${runtime}): ${diff.toExponential(2)}`);
    expect(diff, `${name} in ${runtime}`).toBeLessThanOrEqual(TOLERANCE);
    expect(got.labels, `${name} in ${runtime}`).toEqual(Array.from(want.labels));
  }
  // Not a trivial model: the rows do not all get one uniform answer.
  const spread = Math.max(...want.probabilities) - Math.min(...want.probabilities);
  expect(spread, `${name}: the probabilities should differ between classes`).toBeGreaterThan(0.05);
}

function spec(layers: NetworkSpec['layers'], inputShape?: number[]): NetworkSpec {
  return { ...(inputShape === undefined ? {} : { inputShape }), layers, loss: 'softmax-with-loss' };
}

describe('every built-in layer, alone before an affine to the classes', () => {
  const image = [2, 6, 6];
  const cases: [string, NetworkSpec, number][] = [
    ['affine', spec([{ type: 'affine', units: 3 }]), 12],
    ['affine on an image (Flatten, Gemm)', spec([{ type: 'affine', units: 3 }], image), 72],
    ['relu', spec([{ type: 'relu' }, { type: 'affine', units: 3 }]), 12],
    ['sigmoid', spec([{ type: 'sigmoid' }, { type: 'affine', units: 3 }]), 12],
    ['batch-norm per feature ([D])', spec([{ type: 'batch-norm' }, { type: 'affine', units: 3 }]), 12],
    ['batch-norm per channel ([C, H, W])', spec([{ type: 'batch-norm' }, { type: 'affine', units: 3 }], image), 72],
    [
      'dropout',
      spec([
        { type: 'dropout', ratio: 0.3 },
        { type: 'affine', units: 3 },
      ]),
      12,
    ],
    [
      'conv2d',
      spec(
        [
          { type: 'conv2d', filters: 4, size: 3 },
          { type: 'affine', units: 3 },
        ],
        image,
      ),
      72,
    ],
    [
      'conv2d with stride and pad',
      spec(
        [
          { type: 'conv2d', filters: 4, size: 3, stride: 2, pad: 1 },
          { type: 'affine', units: 3 },
        ],
        image,
      ),
      72,
    ],
    [
      'max-pool',
      spec(
        [
          { type: 'max-pool', size: 2 },
          { type: 'affine', units: 3 },
        ],
        image,
      ),
      72,
    ],
    [
      'max-pool, overlapping windows with a row left out',
      spec(
        [
          { type: 'max-pool', size: 3, stride: 2 },
          { type: 'affine', units: 3 },
        ],
        [2, 7, 7],
      ),
      98,
    ],
  ];
  it.each(cases)('%s', async (name, networkSpec, features) => {
    const model = savedModel(networkSpec, { features, classes: ABC, scaler: PIXELS, seed: 7 });
    await expectSamePredictions(name, model, rawRows(ROWS, features, 11));
  });

  it('ends in a layer with an image output (conv2d): the scores are flattened, as predictClasses does', async () => {
    const model = savedModel(spec([{ type: 'conv2d', filters: 3, size: 6 }], [2, 6, 6]), { features: 72, classes: ABC, scaler: PIXELS, seed: 3 });
    await expectSamePredictions('conv2d to [3, 1, 1]', model, rawRows(ROWS, 72, 4));
  });
});

describe('the networks of the book', () => {
  it('chapter 5: 784-50-10', async () => {
    const chapter5 = spec([{ type: 'affine', units: 50 }, { type: 'relu' }, { type: 'affine', units: 10 }]);
    const model = savedModel(chapter5, { features: 784, classes: DIGITS, scaler: PIXELS, seed: 1 });
    await expectSamePredictions('chapter 5 (784-50-10)', model, rawRows(ROWS, 784, 2));
  });

  it('simple-convnet', async () => {
    const model = savedModel(NAMED_SPECS['simple-convnet']!.spec, { features: 784, classes: DIGITS, scaler: PIXELS, seed: 5 });
    await expectSamePredictions('simple-convnet', model, rawRows(ROWS, 784, 6));
  });

  it('simple-convnet in float64 (its weights rounded to float32 in the file ONNX Runtime runs)', async () => {
    const model = savedModel(NAMED_SPECS['simple-convnet']!.spec, { features: 784, classes: DIGITS, scaler: PIXELS, seed: 5, dtype: 'float64' });
    expect(model.network.dtype).toBe('float64');
    await expectSamePredictions('simple-convnet, float64', model, rawRows(ROWS, 784, 6));
  });

  it('deep-convnet', async () => {
    const model = savedModel(NAMED_SPECS['deep-convnet']!.spec, { features: 784, classes: DIGITS, scaler: PIXELS, seed: 8 });
    await expectSamePredictions('deep-convnet', model, rawRows(ROWS, 784, 9));
  });

  it('a network of every built-in layer (batch-norm on images and on features, sigmoid, dropout)', async () => {
    const every = spec(
      [
        { type: 'conv2d', filters: 4, size: 3, pad: 1 },
        { type: 'batch-norm' },
        { type: 'relu' },
        { type: 'max-pool', size: 2 },
        { type: 'affine', units: 20 },
        { type: 'batch-norm' },
        { type: 'sigmoid' },
        { type: 'dropout', ratio: 0.2 },
        { type: 'affine', units: 3 },
      ],
      [1, 8, 8],
    );
    const model = savedModel(every, { features: 64, classes: ABC, scaler: PIXELS, seed: 12 });
    await expectSamePredictions('every built-in layer', model, rawRows(ROWS, 64, 13));
  });
});

describe('class labels and scalers', () => {
  const iris = spec([{ type: 'affine', units: 10 }, { type: 'relu' }, { type: 'affine', units: 3 }]);
  const SPECIES = ['setosa', 'versicolor', 'virginica'];

  it('text class labels: the label index maps back to the species through the metadata', async () => {
    // Iris-like columns (cm), with a minmax scaler fitted on their ranges.
    const scaler: ScalerJson = { type: 'minmax', min: [4.3, 2, 1, 0.1], max: [7.9, 4.4, 6.9, 2.5] };
    const model = savedModel(iris, { features: 4, classes: SPECIES, scaler, seed: 21 });
    const raw = Float32Array.from([5.1, 3.5, 1.4, 0.2, 7.0, 3.2, 4.7, 1.4, 6.3, 3.3, 6.0, 2.5, 5.8, 2.7, 5.1, 1.9, 4.9, 3.0, 1.4, 0.2, 6.4, 3.2, 4.5, 1.5]);
    await expectSamePredictions('iris-like, text classes', model, raw, 6);
    const bytes = toOnnx(model);
    const { labels } = await runOnnx('onnxruntime-node', bytes, raw, 6);
    const classes = JSON.parse((await metadataOf(bytes)).classes!) as string[];
    expect(classes).toEqual(SPECIES);
    const want = dlfsPredict(model, raw, 6).labels;
    expect(labels.map((k) => classes[k])).toEqual(Array.from(want, (k) => model.classes[k]));
  });

  const scalers: [string, ScalerJson, boolean][] = [
    ['none', { type: 'none' }, false],
    ['255', { type: '255' }, true],
    // Feature 0 was constant in training (max = min): it maps to 0 whatever a row holds.
    ['minmax', { type: 'minmax', min: [7, 0, 10, 0, 3, 100], max: [7, 255, 240, 128, 250, 101] }, true],
  ];
  it.each(scalers)('the %s scaler', async (name, scaler, pixels) => {
    const model = savedModel(spec([{ type: 'affine', units: 8 }, { type: 'relu' }, { type: 'affine', units: 3 }]), {
      features: 6,
      classes: ABC,
      scaler,
      seed: 31,
    });
    await expectSamePredictions(`scaler ${name}`, model, rawRows(ROWS, 6, 32, pixels));
  });
});

async function metadataOf(bytes: Uint8Array): Promise<Record<string, string>> {
  const { default: onnxProto } = await import('onnx-proto');
  const decoded = onnxProto.onnx.ModelProto.decode(bytes);
  return Object.fromEntries(decoded.metadataProps.map((p) => [p.key, p.value]));
}
