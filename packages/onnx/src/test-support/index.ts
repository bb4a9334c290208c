import type { ScalerJson } from '@dlfs/data';
import { builtinLayers, type LayerRegistry } from '@dlfs/layers';
import { softmax } from '@dlfs/losses';
import { type LoadedModel, Network, type NetworkSpec, parseModel, serializeModel } from '@dlfs/model';
import { Rng, Tensor } from '@dlfs/tensor';
import * as ortNode from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';

// One wasm thread: no worker threads inside the test process.
ortWeb.env.wasm.numThreads = 1;

export interface ModelOptions {
  /** Feature columns of the (imaginary) training CSV. */
  features: number;
  classes: (string | number)[];
  scaler: ScalerJson;
  seed: number;
  registry?: LayerRegistry;
  /** The network's dtype (float32, as `dlfs train` makes it, unless given). */
  dtype?: 'float32' | 'float64';
}

/**
 * A model as `dlfs train` saves it and `dlfs predict` loads it: a float32 Network built from the
 * spec, its weights drawn at random (He-scaled, so that the scores are far from uniform), biases,
 * gamma and beta away from their initial 0 and 1, batch-norm's running statistics non-trivial;
 * then serializeModel and parseModel of @dlfs/model.
 */
export function savedModel(spec: NetworkSpec, opts: ModelOptions): LoadedModel {
  const registry = opts.registry ?? builtinLayers();
  const rng = new Rng(opts.seed);
  const network = Network.build(spec, { registry, inputShape: [opts.features], rng, dtype: opts.dtype ?? 'float32', classes: opts.classes.length });
  for (const [name, t] of Object.entries(network.params)) {
    const D = t.data;
    const fanIn = t.ndim === 4 ? t.shape[1]! * t.shape[2]! * t.shape[3]! : t.shape[0]!;
    for (let i = 0; i < D.length; i++) {
      if (t.ndim > 1) D[i] = rng.normal(0, Math.sqrt(2 / fanIn));
      else D[i] = name.startsWith('gamma') ? 1 + rng.normal(0, 0.2) : rng.normal(0, 0.1);
    }
  }
  for (const [name, t] of Object.entries(network.state)) {
    const D = t.data;
    for (let i = 0; i < D.length; i++) D[i] = name.startsWith('runningVar') ? 0.5 + 1.5 * rng.uniform() : rng.normal(0, 0.5);
  }
  const featureNames = Array.from({ length: opts.features }, (_, j) => `pixel${j}`);
  const text = serializeModel({ network, classes: opts.classes, preprocessing: { scaler: opts.scaler, label: 'label', featureNames }, training: {} });
  return parseModel(text, { registry });
}

/** Raw rows as a CSV would hold them: whole numbers in 0..255 (pixels), or N(0, 1) values when `pixels` is false. */
export function rawRows(rows: number, features: number, seed: number, pixels = true): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: rows * features }, () => (pixels ? rng.int(256) : rng.normal(0, 1)));
}

/** dlfs's own prediction path, as `dlfs predict` takes it: the scaler's transform, the network's scores, softmax and predictClasses. */
export function dlfsPredict(model: LoadedModel, raw: Float32Array, rows: number): { probabilities: Float32Array; labels: Int32Array } {
  const x = new Tensor(Float32Array.from(raw), [rows, raw.length / rows]);
  model.scaler.transform(x, x);
  const scores = model.network.predict(x);
  const probabilities = Float32Array.from(softmax(scores.reshape([rows, -1])).data);
  return { probabilities, labels: model.network.predictClasses(x) };
}

export type Runtime = 'onnxruntime-node' | 'onnxruntime-web';
export const RUNTIMES: readonly Runtime[] = ['onnxruntime-node', 'onnxruntime-web'];

/** Runs the exported bytes in ONNX Runtime (the native one of onnxruntime-node, or the WASM one of onnxruntime-web) on raw rows. */
export async function runOnnx(
  runtime: Runtime,
  bytes: Uint8Array,
  raw: Float32Array,
  rows: number,
): Promise<{ probabilities: Float32Array; labels: number[] }> {
  const ort = runtime === 'onnxruntime-node' ? ortNode : ortWeb;
  const session = await (ort.InferenceSession as typeof ortNode.InferenceSession).create(bytes);
  try {
    const features = new ort.Tensor('float32', Float32Array.from(raw), [rows, raw.length / rows]);
    const out = await session.run({ features });
    const p = out.probabilities!;
    const l = out.label!;
    if (p.type !== 'float32' || l.type !== 'int64') throw new Error(`probabilities is ${p.type} and label ${l.type}, not float32 and int64`);
    if (p.dims.length !== 2 || p.dims[0] !== rows || l.dims.length !== 1 || l.dims[0] !== rows) {
      throw new Error(`probabilities has dims [${p.dims}] and label [${l.dims}] for ${rows} rows`);
    }
    return { probabilities: p.data as Float32Array, labels: Array.from(l.data as BigInt64Array, Number) };
  } finally {
    await session.release();
  }
}

/** The largest |a − b| over two arrays of one length. */
export function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`${a.length} values against ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}
