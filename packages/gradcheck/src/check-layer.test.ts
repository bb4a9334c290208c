import { type Rng, randn, Tensor, zeros } from '@dlfs/tensor';
import { describe, expect, it } from 'vitest';
import { checkLayer, type LayerDefLike, type LayerLike } from './check-layer.js';
import { randomMask } from './test-support/random-mask.js';
import { runningMean } from './test-support/running-mean.js';

type Flaw = 'dx' | 'grad' | 'mutates-dout' | 'shape';

/** y = x ⊙ a + c per feature, with params a and c: dx = dout ⊙ a, da = Σ dout ⊙ x, dc = Σ dout. */
function scaleShift(flaw?: Flaw): LayerDefLike<{ features: number }> {
  return {
    type: 'scale-shift',
    create: ({ features }, { rng }: { rng: Rng }): LayerLike => {
      const a = randn([features], rng);
      const c = randn([features], rng);
      const da = zeros([features]);
      const dc = zeros([features]);
      let x: Tensor | undefined;
      return {
        params: { a, c },
        grads: { a: da, c: dc },
        outputShape: flaw === 'shape' ? [features + 1] : [features],
        forward(input) {
          x = input;
          const y = zeros(input.shape);
          for (let i = 0; i < input.size; i++) y.data[i] = input.data[i]! * a.data[i % features]! + c.data[i % features]!;
          return y;
        },
        backward(dout) {
          const dx = zeros(dout.shape);
          da.data.fill(0);
          dc.data.fill(0);
          for (let i = 0; i < dout.size; i++) {
            const f = i % features;
            dx.data[i] = dout.data[i]! * a.data[f]! * (flaw === 'dx' && i === 4 ? 1.001 : 1);
            da.data[f]! += dout.data[i]! * x!.data[i]!;
            dc.data[f]! += dout.data[i]!;
          }
          if (flaw === 'grad') dc.data[1]! *= 0.5;
          if (flaw === 'mutates-dout') dout.data.fill(0);
          return dx;
        },
      };
    },
  };
}

describe('checkLayer (the conformance kit)', () => {
  it('passes a correct layer', () => {
    const report = checkLayer(scaleShift(), { features: 4 }, { inputShape: [4], seed: 1 });
    expect(report.ok, report.summary).toBe(true);
    expect(report.gradients.map((g) => g.name)).toEqual(['dx', 'a', 'c']);
    expect(report.problems).toEqual([]);
  });

  it('fails a wrong dx and names it as the worst offender', () => {
    const report = checkLayer(scaleShift('dx'), { features: 4 }, { inputShape: [4], seed: 1 });
    expect(report.ok).toBe(false);
    expect(report.worst).toMatchObject({ name: 'dx', index: [1, 0] });
    expect(report.summary).toMatch(/worst offender: dx\[1, 0\]/);
  });

  it('fails a wrong parameter gradient and names it', () => {
    const report = checkLayer(scaleShift('grad'), { features: 4 }, { inputShape: [4], seed: 2 });
    expect(report.ok).toBe(false);
    expect(report.worst).toMatchObject({ name: 'c', index: [1] });
  });

  it('fails a backward that changes dout in place (the book ReLU does)', () => {
    const report = checkLayer(scaleShift('mutates-dout'), { features: 3 }, { inputShape: [3], seed: 3 });
    expect(report.ok).toBe(false);
    expect(report.problems.join()).toMatch(/changed dout in place/);
  });

  it('fails an output shape that disagrees with outputShape', () => {
    const report = checkLayer(scaleShift('shape'), { features: 3 }, { inputShape: [3], seed: 3 });
    expect(report.ok).toBe(false);
    expect(report.problems.join()).toMatch(/\[3, 3\].*\[3, 4\]/);
  });

  it('runs validate() on the config first', () => {
    const def = {
      ...scaleShift(),
      validate: (c: unknown) => {
        throw new Error(`scale-shift: bad config ${JSON.stringify(c)}`);
      },
    };
    expect(() => checkLayer(def, { features: 3 }, { inputShape: [3], seed: 3 })).toThrow(/bad config/);
  });

  it('checks an N-D input against the loss Σ y ⊙ R', () => {
    // A layer that sums the last axis: y[n, i] = Σⱼ x[n, i, j]; dx[n, i, j] = dout[n, i].
    const rowSum: LayerDefLike<Record<string, never>> = {
      type: 'row-sum',
      create: (_c, { inputShape }) => ({
        params: {},
        grads: {},
        outputShape: [inputShape[0]!],
        forward(x) {
          const [n, r, c] = x.shape as [number, number, number];
          const y = zeros([n, r]);
          for (let i = 0; i < n * r; i++) for (let j = 0; j < c; j++) y.data[i]! += x.data[i * c + j]!;
          return y;
        },
        backward(dout) {
          const c = inputShape[1]!;
          const dx = new Tensor(new Float64Array(dout.size * c), [dout.shape[0]!, inputShape[0]!, c]);
          for (let i = 0; i < dout.size; i++) for (let j = 0; j < c; j++) dx.data[i * c + j] = dout.data[i]!;
          return dx;
        },
      }),
    };
    const report = checkLayer(rowSum, {}, { inputShape: [2, 5], seed: 4, batch: 2 });
    expect(report.ok, report.summary).toBe(true);
  });

  it('checks an evaluation pass and a training pass', () => {
    const report = checkLayer(scaleShift(), { features: 4 }, { inputShape: [4], seed: 1 });
    expect(Object.keys(report.modes)).toEqual(['eval', 'train']);
    expect(report.summary).toMatch(/eval mode:[\s\S]*train mode:/);
    expect(Object.keys(checkLayer(scaleShift(), { features: 4 }, { inputShape: [4], seed: 1, modes: ['train'] }).modes)).toEqual(['train']);
  });

  it('passes a layer with a random mask: every probe replays the pass seed', () => {
    const report = checkLayer(randomMask(), { keep: 0.5 }, { inputShape: [6], seed: 7 });
    expect(report.ok, report.summary).toBe(true);
    // The training pass really masks: some dx entries are 0 and the rest 2 · dout.
    expect(report.modes.train!.params[0]!.name).toBe('dx');
  });

  it('fails a random layer that draws from the Rng of create, which no probe can replay', () => {
    const report = checkLayer(randomMask('own-rng'), { keep: 0.5 }, { inputShape: [6], seed: 7 });
    expect(report.ok).toBe(false);
    expect(report.problems.join()).toMatch(/forward in train mode cannot be replayed.*ctx\.rng/);
  });

  it('passes a layer with running statistics, in both passes, with its state frozen', () => {
    const def = runningMean();
    const report = checkLayer(def, { momentum: 0.9 }, { inputShape: [2, 3], seed: 8 });
    expect(report.ok, report.summary).toBe(true);
    expect(report.gradients.map((g) => g.name)).toEqual(['dx', 'b']);
  });

  it('fails a layer that updates its state although the pass froze it', () => {
    const report = checkLayer(runningMean('always-updates'), { momentum: 0.9 }, { inputShape: [3], seed: 8 });
    expect(report.ok).toBe(false);
    expect(report.problems.join()).toMatch(/forward in train mode (cannot be replayed|changed state "runningMean")/);
  });

  it('refuses state that is also a param', () => {
    const base = runningMean();
    const def: LayerDefLike<{ momentum: number }> = {
      type: 'shared-state',
      create: (c, ctx) => {
        const layer = base.create(c, ctx);
        return { ...layer, forward: layer.forward, backward: layer.backward, state: { b: layer.params.b! } };
      },
    };
    const report = checkLayer(def, { momentum: 0.9 }, { inputShape: [3], seed: 8 });
    expect(report.ok).toBe(false);
    expect(report.problems.join()).toMatch(/state\.b: has the name of a param/);
  });

  it('checks a layer without outputShape, finding it by a forward pass as a network does', () => {
    const def: LayerDefLike<Record<string, never>> = {
      type: 'no-shape',
      create: () => ({ params: {}, grads: {}, forward: (x: Tensor) => x, backward: (d: Tensor) => d }) as unknown as LayerLike,
    };
    const report = checkLayer(def, {}, { inputShape: [3], seed: 1 });
    expect(report.ok, report.summary).toBe(true);
  });

  it('reports a breach of the layer contract as a problem, naming the member', () => {
    const def: LayerDefLike<Record<string, never>> = {
      type: 'no-backward',
      create: () => ({ params: {}, grads: {}, forward: (x: Tensor) => x }) as unknown as LayerLike,
    };
    const report = checkLayer(def, {}, { inputShape: [3], seed: 1 });
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual(['backward: must be a function (backward(dout, ctx) returns dx), got undefined']);
    expect(report.summary).toMatch(/^FAIL: layer "no-backward"/);
  });
});

/** y = f(x) element-wise, no params, declaring commutesWithMax: ReLU, a leaky ReLU, or a flawed one. */
function elementwise(flaw?: 'leaky' | 'decreasing' | 'flat-gradient'): LayerDefLike<Record<string, never>> {
  // 'leaky' is a leaky ReLU (0.1·x below 0): strictly increasing, so it commutes with max too.
  const f = (v: number): number => (flaw === 'decreasing' ? -v : v > 0 ? v : flaw === 'leaky' ? 0.1 * v : 0);
  const df = (v: number): number => (flaw === 'decreasing' ? -1 : v > 0 ? 1 : flaw === 'leaky' ? 0.1 : flaw === 'flat-gradient' ? 0.5 : 0);
  return {
    type: 'element-wise',
    capabilities: { commutesWithMax: true },
    create: (): LayerLike => {
      let x: Tensor | undefined;
      return {
        params: {},
        grads: {},
        forward(input) {
          x = input;
          const y = zeros(input.shape);
          for (let i = 0; i < input.size; i++) y.data[i] = f(input.data[i]!);
          return y;
        },
        backward(dout) {
          const dx = zeros(dout.shape);
          for (let i = 0; i < dout.size; i++) dx.data[i] = dout.data[i]! * df(x!.data[i]!);
          return dx;
        },
      };
    },
  };
}

/** Max over pairs of neighbours [n, 2k] → [n, k], declaring windowMax: correct, or sending the gradient to both. */
function pairMax(flaw?: 'both' | 'mean'): LayerDefLike<Record<string, never>> {
  return {
    type: 'pair-max',
    capabilities: { windowMax: true },
    create: (_config, { inputShape }): LayerLike => {
      const half = inputShape[0]! / 2;
      let x: Tensor | undefined;
      return {
        params: {},
        grads: {},
        outputShape: [half],
        forward(input) {
          x = input;
          const y = zeros([input.shape[0]!, half]);
          for (let i = 0; i < y.size; i++)
            y.data[i] = flaw === 'mean' ? (input.data[2 * i]! + input.data[2 * i + 1]!) / 2 : Math.max(input.data[2 * i]!, input.data[2 * i + 1]!);
          return y;
        },
        backward(dout) {
          const dx = zeros(x!.shape);
          for (let i = 0; i < dout.size; i++) {
            const first = x!.data[2 * i]! >= x!.data[2 * i + 1]!;
            if (flaw === 'both' || flaw === 'mean') {
              dx.data[2 * i] = dout.data[i]! / 2;
              dx.data[2 * i + 1] = dout.data[i]! / 2;
            } else dx.data[first ? 2 * i : 2 * i + 1] = dout.data[i]!;
          }
          return dx;
        },
      };
    },
  };
}

describe('checkLayer on the capabilities that let a network reorder layers', () => {
  it('passes ReLU-like layers that declare commutesWithMax, and max pooling that declares windowMax', () => {
    for (const report of [
      checkLayer(elementwise(), {}, { inputShape: [6], seed: 1 }),
      checkLayer(elementwise('leaky'), {}, { inputShape: [6], seed: 1 }),
      checkLayer(pairMax(), {}, { inputShape: [6], seed: 1, modes: ['eval'] }),
    ]) {
      expect(report.ok, report.summary).toBe(true);
    }
  });

  it('fails a layer that declares commutesWithMax but is decreasing', () => {
    const report = checkLayer(elementwise('decreasing'), {}, { inputShape: [6], seed: 1 });
    expect(report.ok).toBe(false);
    expect(report.problems.join('\n')).toMatch(/declares commutesWithMax, but the larger of its outputs .* is not its output of the larger input/);
  });

  it('fails a layer that declares commutesWithMax but has a gradient where it is flat', () => {
    const report = checkLayer(elementwise('flat-gradient'), {}, { inputShape: [8], seed: 2, modes: ['eval'] });
    expect(report.ok).toBe(false);
    expect(report.problems.join('\n')).toMatch(/declares commutesWithMax, but inputs .* give one output 0 with gradients 0.5 and 0.5, not 0/);
  });

  it('fails a layer that declares windowMax but averages, or splits the gradient', () => {
    const mean = checkLayer(pairMax('mean'), {}, { inputShape: [6], seed: 1, modes: ['eval'] });
    expect(mean.problems.join('\n')).toMatch(/declares windowMax, but its output .* is none of the sample's input values/);
    const both = checkLayer(pairMax('both'), {}, { inputShape: [6], seed: 1, modes: ['eval'] });
    expect(both.ok).toBe(false);
    expect(both.problems.join('\n')).toMatch(/declares windowMax, but backward gives \[\d, \d\] a gradient .* although its input .* is no output's value/);
  });
});
