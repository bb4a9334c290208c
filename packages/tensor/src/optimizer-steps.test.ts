import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toKernel } from './creation.js';
import { axpy, scaleInPlace } from './inplace.js';
import { kernelStats, type KernelName, resetKernelStats } from './kernel-stats.js';
import { adagradUpdate, adamUpdate, momentumUpdate, nesterovUpdate, rmspropUpdate } from './optimizer-steps.js';
import { type DType, Tensor } from './tensor.js';
import { type DataKind, expectSameValues, expectShapeError, randomTensor, seedArb, withBackend } from './test-support/index.js';

/** One optimizer step: its kernel, the state it keeps (and what values that state holds), and hyperparameters. */
interface StepCase {
  name: KernelName;
  state: readonly DataKind[];
  params: fc.Arbitrary<number[]>;
  /** Runs the step through the public function. */
  run(W: Tensor, g: Tensor, state: Tensor[], p: number[]): void;
  /** The step on one element, written out with `r` rounding each store: returns [W, ...state]. */
  formula(w: number, g: number, state: number[], p: number[], r: (x: number) => number): number[];
}

const lrArb = fc.double({ min: 1e-4, max: 1, noNaN: true });
const fractionArb = fc.double({ min: 0, max: 0.999, noNaN: true });

const CASES: readonly StepCase[] = [
  {
    name: 'momentumUpdate',
    state: ['uniform'],
    params: fc.tuple(lrArb, fractionArb),
    run: (W, g, [v], [lr, a]) => momentumUpdate(W, g, v!, lr!, a!),
    formula(w, g, [v], [lr, a], r) {
      const v1 = r(r(v! * a!) + -lr! * g);
      return [r(w + v1), v1];
    },
  },
  {
    name: 'nesterovUpdate',
    state: ['uniform'],
    params: fc.tuple(lrArb, fractionArb),
    run: (W, g, [v], [lr, a]) => nesterovUpdate(W, g, v!, lr!, a!),
    formula(w, g, [v], [lr, a], r) {
      const v1 = r(r(v! * a!) + -lr! * g);
      return [r(r(w + a! * a! * v1) + -((1 + a!) * lr!) * g), v1];
    },
  },
  {
    name: 'adagradUpdate',
    state: ['positive'],
    params: fc.tuple(lrArb),
    run: (W, g, [h], [lr]) => adagradUpdate(W, g, h!, lr!),
    formula(w, g, [h], [lr], r) {
      const h1 = r(h! + g * g);
      return [r(w - (lr! * g) / (Math.sqrt(h1) + 1e-7)), h1];
    },
  },
  {
    name: 'rmspropUpdate',
    state: ['positive'],
    params: fc.tuple(lrArb, fractionArb),
    run: (W, g, [h], [lr, rho]) => rmspropUpdate(W, g, h!, lr!, rho!),
    formula(w, g, [h], [lr, rho], r) {
      const h1 = r(r(h! * rho!) + (1 - rho!) * g * g);
      return [r(w - (lr! * g) / (Math.sqrt(h1) + 1e-7)), h1];
    },
  },
  {
    name: 'adamUpdate',
    state: ['uniform', 'positive'],
    params: fc.tuple(lrArb, fractionArb, fractionArb),
    run: (W, g, [m, v], [lrT, b1, b2]) => adamUpdate(W, g, m!, v!, lrT!, b1!, b2!),
    formula(w, g, [m, v], [lrT, b1, b2], r) {
      const m1 = r(m! + (1 - b1!) * (g - m!));
      const v1 = r(v! + (1 - b2!) * (g * g - v!));
      return [r(w - (lrT! * m1) / (Math.sqrt(v1) + 1e-7)), m1, v1];
    },
  },
];

// Lengths below and above the WASM threshold (256), odd ones and every remainder modulo 2 and 4.
const lengthArb = fc.oneof({ weight: 1, arbitrary: fc.integer({ min: 1, max: 9 }) }, { weight: 3, arbitrary: fc.integer({ min: 250, max: 1031 }) });

function operands(c: StepCase, n: number, dtype: DType, seed: number): { W: Tensor; g: Tensor; state: Tensor[] } {
  return {
    W: randomTensor([n], dtype, seed),
    g: randomTensor([n], dtype, seed + 1),
    state: c.state.map((kind, i) => randomTensor([n], dtype, seed + 2 + i, kind)),
  };
}

describe.each(CASES)('$name', (c) => {
  it('equals the per-element formula, rounding every store to the dtype (float32 and float64)', () => {
    fc.assert(
      fc.property(lengthArb, seedArb, c.params, fc.constantFrom<DType>('float32', 'float64'), (n, seed, p, dtype) => {
        const { W, g, state } = operands(c, n, dtype, seed);
        const r = dtype === 'float32' ? Math.fround : (x: number): number => x;
        const expected = Array.from(W.data, (w, i) =>
          c.formula(
            w,
            g.data[i]!,
            state.map((s) => s.data[i]!),
            p,
            r,
          ),
        );
        const gBefore = Array.from(g.data);
        withBackend('js', () => c.run(W, g, state, p));
        expectSameValues(
          W.data,
          expected.map((e) => e[0]!),
          `${c.name} W`,
        );
        state.forEach((s, k) =>
          expectSameValues(
            s.data,
            expected.map((e) => e[k + 1]!),
            `${c.name} state ${k}`,
          ),
        );
        expectSameValues(g.data, gBefore, `${c.name} g is left alone`);
      }),
      { numRuns: 60 },
    );
  });

  it('gives the same bits in WASM as the TypeScript reference, on float32 in WASM memory', () => {
    fc.assert(
      fc.property(
        lengthArb.filter((n) => n >= 256),
        seedArb,
        c.params,
        (n, seed, p) => {
          const heap = operands(c, n, 'float32', seed);
          const placed = withBackend('wasm', () => ({ W: toKernel(heap.W), g: toKernel(heap.g), state: heap.state.map((s) => toKernel(s)) }));
          const js = { W: heap.W.clone(), g: heap.g, state: heap.state.map((s) => s.clone()) };
          resetKernelStats();
          withBackend('wasm', () => c.run(placed.W, placed.g, placed.state, p));
          expect(kernelStats().kernels[c.name]).toMatchObject({ wasm: 1, reference: 0 });
          withBackend('js', () => c.run(js.W, js.g, js.state, p));
          expectSameValues(placed.W.data, js.W.data, `${c.name} W, n=${n}`);
          placed.state.forEach((s, k) => expectSameValues(s.data, js.state[k]!.data, `${c.name} state ${k}, n=${n}`));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('refuses state or grads of another shape than W', () => {
    const { W, g, state } = operands(c, 6, 'float64', 1);
    const other = new Tensor(new Float64Array(6), [2, 3]);
    expectShapeError(() => c.run(W, other, state, [0.1, 0.5, 0.5]), c.name, 'g has shape [2, 3] but W has [6]');
    expectShapeError(
      () =>
        c.run(
          W,
          g,
          state.map(() => other),
          [0.1, 0.5, 0.5],
        ),
      c.name,
      'has shape [2, 3] but W has [6]',
    );
  });
});

describe('momentum and Nesterov steps', () => {
  it('give the bits of the scaleInPlace and axpy sequences they fuse', () => {
    fc.assert(
      fc.property(lengthArb, seedArb, lrArb, fractionArb, fc.constantFrom<DType>('float32', 'float64'), (n, seed, lr, a, dtype) => {
        const W = randomTensor([n], dtype, seed);
        const g = randomTensor([n], dtype, seed + 1);
        const v = randomTensor([n], dtype, seed + 2);
        const fused = { W: W.clone(), v: v.clone() };
        const steps = { W: W.clone(), v: v.clone() };
        momentumUpdate(fused.W, g, fused.v, lr, a);
        axpy(-lr, g, scaleInPlace(steps.v, a));
        axpy(1, steps.v, steps.W);
        expectSameValues(fused.W.data, steps.W.data, 'momentum W');
        expectSameValues(fused.v.data, steps.v.data, 'momentum v');
        nesterovUpdate(fused.W, g, fused.v, lr, a);
        axpy(-lr, g, scaleInPlace(steps.v, a));
        axpy(a * a, steps.v, steps.W);
        axpy(-((1 + a) * lr), g, steps.W);
        expectSameValues(fused.W.data, steps.W.data, 'nesterov W');
        expectSameValues(fused.v.data, steps.v.data, 'nesterov v');
      }),
      { numRuns: 60 },
    );
  });
});
