import { builtinLayers } from '@dlfs/layers';
import { Rng } from '@dlfs/tensor';
import { describe, expect, it } from 'vitest';
import { NAMED_SPECS } from './named-specs.js';
import { Network } from './network.js';

const build = (name: string) =>
  Network.build(NAMED_SPECS[name]!.spec, { registry: builtinLayers(), inputShape: [784], rng: new Rng(0), dtype: 'float32', classes: 10 });
const shapes = (net: Network) => Object.fromEntries(Object.entries(net.params).map(([k, t]) => [k, t.shape]));

describe('the named specs', () => {
  it("simple-convnet has the book's SimpleConvNet shapes (7.5, simple_convnet.py)", () => {
    const net = build('simple-convnet');
    expect(net.layers.map((l) => l.outputShape)).toEqual([[30, 24, 24], [30, 24, 24], [30, 12, 12], [100], [100], [10]]);
    expect(shapes(net)).toEqual({ W1: [30, 1, 5, 5], b1: [30], W2: [4320, 100], b2: [100], W3: [100, 10], b3: [10] });
  });

  it("deep-convnet has the book's DeepConvNet shapes (8.1, deep_convnet.py): the last pool leaves 64×4×4", () => {
    const net = build('deep-convnet');
    const out = net.layers.map((l) => l.outputShape);
    // After each pool: 16×14×14, then 32×8×8 (padding 2 on the fourth conv makes it 16×16), then 64×4×4.
    expect([4, 9, 14].map((i) => `${i}: ${JSON.stringify(NAMED_SPECS['deep-convnet']!.spec.layers[i])}`)).toEqual([
      '4: {"type":"max-pool","size":2,"stride":2}',
      '9: {"type":"max-pool","size":2,"stride":2}',
      '14: {"type":"max-pool","size":2,"stride":2}',
    ]);
    expect([out[4], out[9], out[14]]).toEqual([
      [16, 14, 14],
      [32, 8, 8],
      [64, 4, 4],
    ]);
    expect(shapes(net)).toEqual({
      W1: [16, 1, 3, 3],
      b1: [16],
      W2: [16, 16, 3, 3],
      b2: [16],
      W3: [32, 16, 3, 3],
      b3: [32],
      W4: [32, 32, 3, 3],
      b4: [32],
      W5: [64, 32, 3, 3],
      b5: [64],
      W6: [64, 64, 3, 3],
      b6: [64],
      W7: [1024, 50],
      b7: [50],
      W8: [50, 10],
      b8: [10],
    });
    // He initialisation: W6's std near √(2 / (64·3·3)), W7's near √(2/1024).
    const std = (name: string) => {
      const d = net.params[name]!.data;
      let s = 0;
      for (let i = 0; i < d.length; i++) s += d[i]! * d[i]!;
      return Math.sqrt(s / d.length);
    };
    expect(std('W6')).toBeCloseTo(Math.sqrt(2 / 576), 2);
    expect(std('W7')).toBeCloseTo(Math.sqrt(2 / 1024), 2);
  });
});
