import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { MNIST_PIXELS } from '@dlfs/datasets';
import { loadMnistSample } from '@dlfs/datasets/node';
import { builtinLayers } from '@dlfs/layers';
import { defaultSpec, Network } from '@dlfs/model';
import { Rng } from '@dlfs/tensor';

/**
 * The one data file every implementation reads, so that all of them train on the same digits
 * from the same initial weights. Little-endian, written here and read by python/worker.py:
 *
 *   0   8 bytes  magic "DLFSBEN1"
 *   8   4 × u32  rows, cols, hidden, classes (then 8 zero bytes, to 32)
 *   32  f32      x [rows, cols], pixels 0..1 (the bundled MNIST sample)
 *       i32      labels [rows]
 *       (zero padding to a multiple of 8)
 *       f64      W1 [cols, hidden], b1 [hidden], W2 [hidden, classes], b2 [classes]
 */
export interface BenchData {
  rows: number;
  cols: number;
  hidden: number;
  classes: number;
  x: Float32Array;
  labels: Int32Array;
  /** The initial parameters, float64, as dlfs's Affine layers draw them: W ~ 0.01·N(0, 1), b = 0. */
  params: Record<ParamKey, Float64Array>;
}

export const PARAM_KEYS = ['W1', 'b1', 'W2', 'b2'] as const;
export type ParamKey = (typeof PARAM_KEYS)[number];

const MAGIC = 'DLFSBEN1';
const HEADER_BYTES = 32;

const align8 = (n: number): number => (n + 7) & ~7;

export function paramShapes(d: { cols: number; hidden: number; classes: number }): Record<ParamKey, number[]> {
  return { W1: [d.cols, d.hidden], b1: [d.hidden], W2: [d.hidden, d.classes], b2: [d.classes] };
}

export interface MakeBenchDataOptions {
  /** The first `rows` digits of the sample (all 10,000 when left out). */
  rows?: number;
  hidden?: number;
  /** Seeds the initial weights. */
  seed?: number;
}

/** The bundled MNIST sample (pixels already 0..1) and a 784-hidden-10 network's initial weights. */
export function makeBenchData(opts: MakeBenchDataOptions = {}): BenchData {
  const sample = loadMnistSample();
  const total = sample.x.shape[0]!;
  const rows = Math.min(opts.rows ?? total, total);
  const cols = MNIST_PIXELS;
  const classes = sample.classes.length;
  const hidden = opts.hidden ?? 50;
  const network = Network.build(defaultSpec(classes, hidden), {
    registry: builtinLayers(),
    inputShape: [cols],
    rng: new Rng(opts.seed ?? 0),
    dtype: 'float64',
  });
  const params = Object.fromEntries(PARAM_KEYS.map((k) => [k, Float64Array.from(network.params[k]!.data)])) as Record<ParamKey, Float64Array>;
  return {
    rows,
    cols,
    hidden,
    classes,
    x: (sample.x.data as Float32Array).slice(0, rows * cols),
    labels: sample.labels.slice(0, rows),
    params,
  };
}

export function encodeBenchData(d: BenchData): Buffer {
  const shapes = paramShapes(d);
  const labelsAt = HEADER_BYTES + 4 * d.rows * d.cols;
  const paramsAt = align8(labelsAt + 4 * d.rows);
  const paramBytes = PARAM_KEYS.reduce((n, k) => n + 8 * shapes[k].reduce((a, b) => a * b, 1), 0);
  const buf = Buffer.alloc(paramsAt + paramBytes);
  buf.write(MAGIC, 0, 'latin1');
  [d.rows, d.cols, d.hidden, d.classes].forEach((v, i) => buf.writeUInt32LE(v, 8 + 4 * i));
  Buffer.from(d.x.buffer, d.x.byteOffset, d.x.byteLength).copy(buf, HEADER_BYTES);
  Buffer.from(d.labels.buffer, d.labels.byteOffset, d.labels.byteLength).copy(buf, labelsAt);
  let off = paramsAt;
  for (const k of PARAM_KEYS) {
    const p = d.params[k];
    Buffer.from(p.buffer, p.byteOffset, p.byteLength).copy(buf, off);
    off += p.byteLength;
  }
  return buf;
}

export function writeBenchData(path: string, d: BenchData): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, encodeBenchData(d));
}

export function decodeBenchData(buf: Buffer, source = 'data'): BenchData {
  if (buf.length < HEADER_BYTES || buf.toString('latin1', 0, 8) !== MAGIC) {
    throw new Error(`${source}: not a dlfs benchmark data file (it must start with "${MAGIC}"); run the bench again to rewrite it`);
  }
  const [rows, cols, hidden, classes] = [0, 1, 2, 3].map((i) => buf.readUInt32LE(8 + 4 * i)) as [number, number, number, number];
  const shapes = paramShapes({ cols, hidden, classes });
  const labelsAt = HEADER_BYTES + 4 * rows * cols;
  const paramsAt = align8(labelsAt + 4 * rows);
  // Copies, so that the typed arrays are aligned whatever the Buffer's offset in its pool.
  const f32 = (at: number, n: number): Float32Array => new Float32Array(buf.buffer.slice(buf.byteOffset + at, buf.byteOffset + at + 4 * n));
  const i32 = (at: number, n: number): Int32Array => new Int32Array(buf.buffer.slice(buf.byteOffset + at, buf.byteOffset + at + 4 * n));
  const f64 = (at: number, n: number): Float64Array => new Float64Array(buf.buffer.slice(buf.byteOffset + at, buf.byteOffset + at + 8 * n));
  let off = paramsAt;
  const params = {} as Record<ParamKey, Float64Array>;
  for (const k of PARAM_KEYS) {
    const n = shapes[k].reduce((a, b) => a * b, 1);
    params[k] = f64(off, n);
    off += 8 * n;
  }
  if (off !== buf.length)
    throw new Error(`${source}: ${buf.length} bytes, expected ${off} for ${rows} rows × ${cols} columns; run the bench again to rewrite it`);
  return { rows, cols, hidden, classes, x: f32(HEADER_BYTES, rows * cols), labels: i32(labelsAt, rows), params };
}

export function readBenchData(path: string): BenchData {
  return decodeBenchData(readFileSync(path), path);
}
