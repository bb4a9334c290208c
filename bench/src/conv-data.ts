import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { builtinLayers } from '@dlfs/layers';
import { NAMED_SPECS, type NetworkSpec, Network } from '@dlfs/model';
import { Rng } from '@dlfs/tensor';

/**
 * The book's SimpleConvNet (7.5, ch07/simple_convnet.py), the spec `dlfs train --spec simple-convnet` trains: conv 30 filters 5×5,
 * stride 1, pad 0 on [1, 28, 28] → ReLU → max-pool 2×2 stride 2 → affine 100 → ReLU → affine 10
 * → softmax-with-loss; weights std 0.01, biases 0.
 */
export const CONV_SPEC: NetworkSpec = NAMED_SPECS['simple-convnet']!.spec;

export const CONV_PARAM_KEYS = ['W1', 'b1', 'W2', 'b2', 'W3', 'b3'] as const;
export type ConvParamKey = (typeof CONV_PARAM_KEYS)[number];

/** The parameters' shapes, in the book's layout: W1 [filters, C, fh, fw]; W2 [30·12·12 in C, H, W order, 100]; W3 [100, 10]. */
export const CONV_SHAPES: Readonly<Record<ConvParamKey, readonly number[]>> = Object.freeze({
  W1: [30, 1, 5, 5],
  b1: [30],
  W2: [4320, 100],
  b2: [100],
  W3: [100, 10],
  b3: [10],
});

/** The SimpleConvNet step's hyperparameters: the book's train_convnet.py (Adam lr 0.001) with its Adam defaults. */
export interface ConvConfig {
  batchSize: number;
  lr: number;
  beta1: number;
  beta2: number;
  /** Seeds each implementation's own batch sampler. */
  seed: number;
}

export const CONV_CONFIG: ConvConfig = { batchSize: 100, lr: 0.001, beta1: 0.9, beta2: 0.999, seed: 1 };

export type ConvParams = Record<ConvParamKey, Float64Array>;

/** SimpleConvNet's initial parameters, float64, as dlfs's conv2d and affine layers draw them: W ~ 0.01·N(0, 1), b = 0. */
export function makeConvParams(seed = 0): ConvParams {
  const network = Network.build(CONV_SPEC, { registry: builtinLayers(), inputShape: [784], rng: new Rng(seed), dtype: 'float64' });
  return Object.fromEntries(CONV_PARAM_KEYS.map((k) => [k, Float64Array.from(network.params[k]!.data)])) as ConvParams;
}

/**
 * The file every SimpleConvNet implementation reads its initial weights from (python/ reads it
 * too). Little-endian:
 *
 *   0   8 bytes  magic "DLFSCNV1"
 *   8   u32      length L of the JSON header
 *   12  L bytes  {"params": [{"name": "W1", "shape": [30, 1, 5, 5]}, ...]} (then spaces to a multiple of 8)
 *       f64      every param in that order, row-major in the book's layout
 */
const MAGIC = 'DLFSCNV1';

export function encodeConvParams(params: ConvParams): Buffer {
  const header = JSON.stringify({ params: CONV_PARAM_KEYS.map((name) => ({ name, shape: CONV_SHAPES[name] })) });
  const dataAt = (12 + Buffer.byteLength(header) + 7) & ~7;
  const bytes = CONV_PARAM_KEYS.reduce((n, k) => n + params[k].byteLength, 0);
  const buf = Buffer.alloc(dataAt + bytes, ' ');
  buf.write(MAGIC, 0, 'latin1');
  buf.writeUInt32LE(dataAt - 12, 8);
  buf.write(header, 12, 'utf8');
  let off = dataAt;
  for (const k of CONV_PARAM_KEYS) {
    const p = params[k];
    const want = CONV_SHAPES[k].reduce((a, b) => a * b, 1);
    if (p.length !== want) throw new Error(`conv params: ${k} has ${p.length} numbers, expected ${want} for ${JSON.stringify(CONV_SHAPES[k])}`);
    Buffer.from(p.buffer, p.byteOffset, p.byteLength).copy(buf, off);
    off += p.byteLength;
  }
  return buf;
}

export function decodeConvParams(buf: Buffer, source = 'conv params'): ConvParams {
  if (buf.length < 12 || buf.toString('latin1', 0, 8) !== MAGIC) throw new Error(`${source}: not a SimpleConvNet weights file (it must start with "${MAGIC}")`);
  const length = buf.readUInt32LE(8);
  const header = JSON.parse(buf.toString('utf8', 12, 12 + length)) as { params: { name: string; shape: number[] }[] };
  let off = 12 + length;
  const out = {} as ConvParams;
  for (const { name, shape } of header.params) {
    if (!(CONV_PARAM_KEYS as readonly string[]).includes(name)) throw new Error(`${source}: unknown parameter ${JSON.stringify(name)}`);
    const n = shape.reduce((a, b) => a * b, 1);
    // A copy, so that the array is aligned whatever the Buffer's offset in its pool.
    out[name as ConvParamKey] = new Float64Array(buf.buffer.slice(buf.byteOffset + off, buf.byteOffset + off + 8 * n));
    off += 8 * n;
  }
  if (off !== buf.length) throw new Error(`${source}: ${buf.length} bytes, expected ${off}; run the bench again to rewrite it`);
  return out;
}

export function writeConvParams(path: string, params: ConvParams): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, encodeConvParams(params));
}

export function readConvParams(path: string): ConvParams {
  return decodeConvParams(readFileSync(path), path);
}

/** Σ|v|, √Σv² and Σ v[i]·sin(i + 1) of a gradient: what a check reports of it. */
export function gradientStats(values: ArrayLike<number>): { l1: number; l2: number; proj: number } {
  let l1 = 0;
  let sq = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    l1 += Math.abs(v);
    sq += v * v;
  }
  return { l1, l2: Math.sqrt(sq), proj: projection(values) };
}

/**
 * Σ v[i]·sin(i + 1) over a parameter's flat values in the book's layout. Unlike Σ|v| it changes
 * when values trade places or signs, so a gradient in another layout or with a wrong sign shows.
 * python/worker.py computes the same.
 */
export function projection(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i]! * Math.sin(i + 1);
  return s;
}

/** The gradient part of a check (see ConvCheckResult) from each parameter's gradient, in the book's layout. */
export function gradientSums(grads: Readonly<Record<ConvParamKey, ArrayLike<number>>>): {
  gradL1: Record<ConvParamKey, number>;
  gradL2: Record<ConvParamKey, number>;
  gradProj: Record<ConvParamKey, number>;
} {
  const out = { gradL1: {}, gradL2: {}, gradProj: {} } as ReturnType<typeof gradientSums>;
  for (const k of CONV_PARAM_KEYS) {
    const s = gradientStats(grads[k]);
    out.gradL1[k] = s.l1;
    out.gradL2[k] = s.l2;
    out.gradProj[k] = s.proj;
  }
  return out;
}
