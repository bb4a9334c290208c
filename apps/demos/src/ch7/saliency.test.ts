import { builtinLayers } from '@dlfs/layers';
import { defaultSpec, Network, type NetworkSpec } from '@dlfs/model';
import { Rng, Tensor } from '@dlfs/tensor';
import { describe, expect, it } from 'vitest';
import { firstConv, scoreSaliency } from './saliency.js';
import { SIMPLE_CONVNET } from './simple-convnet.js';

/** A network in float64, so that finite differences are exact to ~1e-9; weights larger than the book's 0.01 so the scores vary. */
function build(spec: NetworkSpec, seed: number): Network {
  const heSpec = { ...spec, layers: spec.layers.map((l) => (l.type === 'conv2d' || l.type === 'affine' ? { ...l, weightInitStd: 'he' } : l)) };
  return Network.build(heSpec, { registry: builtinLayers(), inputShape: [784], rng: new Rng(seed), dtype: 'float64', classes: 10 });
}

/** A stroke-like digit in 0..1: a thick vertical bar and a little noise, so every part of the net sees signal. */
function sample(seed: number): Tensor {
  const rng = new Rng(seed);
  const x = new Float64Array(784);
  for (let r = 0; r < 28; r++)
    for (let c = 0; c < 28; c++) x[r * 28 + c] = (Math.abs(c - 14 - (r - 14) / 4) < 2.5 && r > 4 && r < 24 ? 0.9 : 0) + 0.1 * rng.uniform();
  return new Tensor(x, [1, 784]);
}

const score = (network: Network, x: Tensor, cls: number): number => network.predict(x).data[cls]!;

/** Central differences of the class score at the given pixels; returns the largest relative error against the backward pass's gradient. */
function compare(network: Network, x: Tensor, pixels: number[]): { worst: number; rows: [number, number, number][] } {
  const { cls, gradient } = scoreSaliency(network, x);
  const h = 1e-5;
  const rows: [number, number, number][] = [];
  let worst = 0;
  for (const p of pixels) {
    const keep = x.data[p]!;
    x.data[p] = keep + h;
    const up = score(network, x, cls);
    x.data[p] = keep - h;
    const down = score(network, x, cls);
    x.data[p] = keep;
    const numeric = (up - down) / (2 * h);
    rows.push([p, gradient[p]!, numeric]);
    worst = Math.max(worst, Math.abs(numeric - gradient[p]!) / Math.max(1e-8, Math.abs(numeric) + Math.abs(gradient[p]!)));
  }
  return { worst, rows };
}

/** The 6 pixels of largest |gradient| and 6 more spread over the image. */
function pixelsToCheck(gradient: Float64Array): number[] {
  const largest = Array.from(gradient.keys())
    .sort((a, b) => Math.abs(gradient[b]!) - Math.abs(gradient[a]!))
    .slice(0, 6);
  return [...largest, 0, 150, 300, 406, 520, 783].filter((p, i, all) => all.indexOf(p) === i);
}

describe('saliency: the gradient of the winning score with respect to the input pixels', () => {
  for (const [name, spec] of [
    ['the two-layer net', defaultSpec(10, 50)],
    ['SimpleConvNet', SIMPLE_CONVNET],
  ] as const) {
    it(`matches finite differences of the score for ${name}`, () => {
      const network = build(spec, 3);
      const x = sample(5);
      const { cls, gradient, scores } = scoreSaliency(network, x);
      expect(gradient).toHaveLength(784);
      expect(scores[cls]).toBe(Math.max(...scores));
      expect(gradient.some((g) => g !== 0)).toBe(true);
      const { worst, rows } = compare(network, x, pixelsToCheck(gradient));
      console.log(
        `${name}: class ${cls}, largest relative error ${worst.toExponential(2)}; ` +
          rows.map(([p, g, n]) => `pixel ${p}: backward ${g.toExponential(4)} numeric ${n.toExponential(4)}`).join('; '),
      );
      expect(worst).toBeLessThan(1e-6);
    });
  }

  it('differentiates another class when asked, and leaves the winning score unchanged', () => {
    const network = build(SIMPLE_CONVNET, 7);
    const x = sample(1);
    const a = scoreSaliency(network, x, 3);
    expect(a.cls).toBe(3);
    const b = scoreSaliency(network, x);
    expect(Array.from(b.scores)).toEqual(Array.from(a.scores));
    expect(() => scoreSaliency(network, x, 10)).toThrow(RangeError);
  });

  it('finds the first convolution and its ReLU', () => {
    expect(firstConv(build(SIMPLE_CONVNET, 1))).toEqual({ conv: 0, maps: 1, filters: 'W1' });
    expect(firstConv(build(defaultSpec(10, 5), 1))).toBeUndefined();
  });
});
