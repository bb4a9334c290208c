import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isKernelPlaced } from './backend.js';
import { zeros } from './creation.js';
import { matmul, sampledZeroFraction } from './matmul.js';
import { type DType, Tensor } from './tensor.js';
import {
  type DataKind,
  place,
  type Placement,
  withBackend,
  dimArb,
  expectClose,
  expectSameValues,
  expectShapeError,
  randomTensor,
  seedArb,
} from './test-support/index.js';

/**
 * Naive float64 C = op(A)·op(B): a plain triple loop reading A and B through explicit index
 * formulas (no transpose, no packing). Also returns Σ|a·b| per element, the scale of rounding error.
 */
function reference(a: Tensor, b: Tensor, transA: boolean, transB: boolean): { c: Float64Array; scale: Float64Array; m: number; k: number; n: number } {
  const [ar, ac] = [a.shape[0]!, a.shape[1]!];
  const [br, bc] = [b.shape[0]!, b.shape[1]!];
  const m = transA ? ac : ar;
  const k = transA ? ar : ac;
  const n = transB ? br : bc;
  const c = new Float64Array(m * n);
  const scale = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      let abs = 0;
      for (let p = 0; p < k; p++) {
        const av = transA ? a.data[p * ac + i]! : a.data[i * ac + p]!; // A[i][p] or Aᵀ[i][p] = A[p][i]
        const bv = transB ? b.data[j * bc + p]! : b.data[p * bc + j]!; // B[p][j] or Bᵀ[p][j] = B[j][p]
        s += av * bv;
        abs += Math.abs(av * bv);
      }
      c[i * n + j] = s;
      scale[i * n + j] = abs;
    }
  }
  return { c, scale, m, k, n };
}

/**
 * Error bounds, relative to Σ|a·b|: float64 accumulates in float64 (k·2^-53 ≤ 1.5e-14 for k ≤ 130,
 * so 1e-12 is tight but safe); float32 rounds to float32 after every multiply-add, ≤ k·2^-24 each way.
 */
function tolerance(dtype: DType, k: number): number {
  return dtype === 'float64' ? 1e-12 : (k + 2) * 2 ** -23;
}

interface Case {
  m: number;
  k: number;
  n: number;
  seed: number;
  kind: DataKind;
  useOut: boolean;
}

function operands(c: Case, transA: boolean, transB: boolean, da: DType, db: DType): [Tensor, Tensor] {
  const a = randomTensor(transA ? [c.k, c.m] : [c.m, c.k], da, c.seed, c.kind);
  const b = randomTensor(transB ? [c.n, c.k] : [c.k, c.n], db, c.seed + 1, c.kind);
  return [a, b];
}

/** Runs matmul (into a garbage-filled out when asked) and compares with the reference. */
function check(a: Tensor, b: Tensor, transA: boolean, transB: boolean, useOut: boolean, exact = false): void {
  const ref = reference(a, b, transA, transB);
  const dtype: DType = a.dtype === 'float32' && b.dtype === 'float32' ? 'float32' : 'float64';
  const aBefore = Float64Array.from(a.data);
  const bBefore = Float64Array.from(b.data);
  let c: Tensor;
  if (useOut) {
    const out = new Tensor(dtype === 'float32' ? new Float32Array(ref.m * ref.n) : new Float64Array(ref.m * ref.n), [ref.m, ref.n]);
    out.data.fill(Number.NaN);
    c = matmul(a, b, { transA, transB, out });
    expect(c).toBe(out);
  } else {
    c = matmul(a, b, { transA, transB });
  }
  expect(c.shape).toEqual([ref.m, ref.n]);
  expect(c.dtype).toBe(dtype);
  const what = `${transA ? 'Aᵀ' : 'A'}·${transB ? 'Bᵀ' : 'B'} m=${ref.m} k=${ref.k} n=${ref.n} ${dtype}`;
  if (exact) expectSameValues(c.data, ref.c, what);
  else {
    const rel = tolerance(dtype, ref.k);
    expectClose(c.data, ref.c, (i) => rel * ref.scale[i]!, what);
  }
  expectSameValues(a.data, aBefore, 'A unchanged');
  expectSameValues(b.data, bBefore, 'B unchanged');
}

// m: 1..37 with the 4-row block edges (1, 3, 4, 5, 7, 8, 9) often; k: small, or across KC = 64
// (63..130 crosses one or two panel edges); n: small, or across NC = 256.
const caseArb: fc.Arbitrary<Case> = fc.record({
  m: dimArb,
  k: fc.oneof(dimArb, fc.integer({ min: 63, max: 130 })),
  n: fc.oneof({ weight: 3, arbitrary: dimArb }, { weight: 1, arbitrary: fc.integer({ min: 250, max: 262 }) }),
  seed: seedArb,
  kind: fc.constantFrom<DataKind>('uniform', 'sparse'),
  useOut: fc.boolean(),
});

const FORMS = [
  { name: 'A·B', transA: false, transB: false },
  { name: 'A·Bᵀ', transA: false, transB: true },
  { name: 'Aᵀ·B', transA: true, transB: false },
  { name: 'Aᵀ·Bᵀ', transA: true, transB: true },
] as const;

describe.each(FORMS)('matmul $name', ({ transA, transB }) => {
  it.each(['float64', 'float32'] as const)('%s matches the naive triple loop, with and without out', (dtype) => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const [a, b] = operands(c, transA, transB, dtype, dtype);
        check(a, b, transA, transB, c.useOut);
      }),
      { numRuns: 40 },
    );
  });

  it('mixed float32 and float64 computes in float64', () => {
    fc.assert(
      fc.property(caseArb, fc.boolean(), (c, f32First) => {
        const [a, b] = operands(c, transA, transB, f32First ? 'float32' : 'float64', f32First ? 'float64' : 'float32');
        check(a, b, transA, transB, c.useOut);
      }),
      { numRuns: 20 },
    );
  });

  it('is exact on small whole numbers at the block edges (m 1, 4, 5, 7; k 1, 64, 65, 129; n 1, 256, 257)', () => {
    for (const dtype of ['float64', 'float32'] as const) {
      for (const m of [1, 4, 5, 7]) {
        for (const k of [1, 64, 65, 129]) {
          for (const n of [1, 256, 257]) {
            const c: Case = { m, k, n, seed: m * 1000 + k * 10 + n, kind: 'ints', useOut: (m + k + n) % 2 === 0 };
            const [a, b] = operands(c, transA, transB, dtype, dtype);
            // |sums| ≤ 129·64 < 2^24: every partial sum is exact in float32 too.
            check(a, b, transA, transB, c.useOut, true);
          }
        }
      }
    }
  });
});

describe('matmul edge cases', () => {
  it('handles 1×1, 1×N, N×1 and the vector products', () => {
    const row = new Tensor([1, 2, 3], [1, 3]);
    const col = new Tensor([4, 5, 6], [3, 1]);
    expect(Array.from(matmul(row, col).data)).toEqual([32]);
    expect(matmul(col, row).shape).toEqual([3, 3]);
    expect(Array.from(matmul(col, row).data)).toEqual([4, 8, 12, 5, 10, 15, 6, 12, 18]);
    expect(Array.from(matmul(row, row, { transB: true }).data)).toEqual([14]);
    expect(Array.from(matmul(col, col, { transA: true }).data)).toEqual([77]);
    expect(Array.from(matmul(new Tensor([3], [1, 1]), new Tensor([-2], [1, 1])).data)).toEqual([-6]);
  });

  it('computes the book example', () => {
    const a = new Tensor([1, 2, 3, 4, 5, 6], [2, 3]);
    const b = new Tensor([1, 2, 3, 4, 5, 6], [3, 2]);
    expect(matmul(a, b).toArray()).toEqual([
      [22, 28],
      [49, 64],
    ]);
  });

  it('gives zeros for k = 0 (overwriting out) and empty results for m = 0 or n = 0', () => {
    const out = new Tensor(new Float64Array(6).fill(7), [2, 3]);
    matmul(new Tensor([], [2, 0]), new Tensor([], [0, 3]), { out });
    expect(Array.from(out.data)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(matmul(new Tensor([], [0, 4]), new Tensor(new Float64Array(12), [4, 3])).shape).toEqual([0, 3]);
    expect(matmul(new Tensor(new Float64Array(8), [2, 4]), new Tensor([], [4, 0])).shape).toEqual([2, 0]);
  });

  it('skips zero rows of A without changing the result on finite inputs', () => {
    // Whole 4-row blocks and remainder rows of zeros: the zero-skip paths.
    const a = new Tensor(new Float64Array(7 * 5), [7, 5]);
    for (let p = 0; p < 5; p++) a.set(p + 1, 5, p);
    const b = randomTensor([5, 3], 'float64', 1);
    check(a, b, false, false, false);
    check(new Tensor(new Float64Array(35), [5, 7]), randomTensor([5, 3], 'float32', 2), true, false, true);
  });

  it('does not let a transposed call disturb a later one (shared packing buffer)', () => {
    const big = randomTensor([300, 100], 'float64', 5);
    const small = randomTensor([2, 3], 'float64', 6);
    const x = randomTensor([4, 100], 'float64', 7);
    const first = matmul(x, big, { transB: true });
    matmul(randomTensor([3, 3], 'float64', 8), small, { transB: true });
    expectSameValues(matmul(x, big, { transB: true }).data, first.data);
    check(randomTensor([2, 3], 'float32', 9), randomTensor([2, 3], 'float32', 10), false, true, false);
  });

  it('writes into an out of another dtype, accumulating in that dtype', () => {
    const a = randomTensor([5, 70], 'float64', 11);
    const b = randomTensor([70, 3], 'float64', 12);
    const ref = reference(a, b, false, false);
    const out32 = new Tensor(new Float32Array(15), [5, 3]);
    matmul(a, b, { out: out32 });
    expectClose(out32.data, ref.c, (i) => tolerance('float32', 70) * ref.scale[i]!);
    const a32 = a.astype('float32');
    const b32 = b.astype('float32');
    const ref32 = reference(a32, b32, false, false);
    const out64 = new Tensor(new Float64Array(15), [5, 3]);
    matmul(a32, b32, { out: out64 });
    expectClose(out64.data, ref32.c, (i) => tolerance('float64', 70) * ref32.scale[i]!);
  });
});

describe('matmul errors', () => {
  it('name matmul and both shapes when the inner sizes differ', () => {
    const a = new Tensor(new Float64Array(6), [2, 3]);
    const b = new Tensor(new Float64Array(20), [4, 5]);
    const e = expectShapeError(() => matmul(a, b), 'matmul', '[2, 3]', '[4, 5]', '3 and 4');
    expect(e.shapes).toEqual([
      [2, 3],
      [4, 5],
    ]);
    expectShapeError(() => matmul(a, b, { transA: true }), 'matmul', 'Aᵀ [3, 2]', '[4, 5]');
    expectShapeError(() => matmul(a, b, { transB: true }), 'matmul', '[2, 3]', 'Bᵀ [5, 4]');
    expectShapeError(() => matmul(a, a), 'matmul', '[2, 3]', '3 and 2');
  });

  it('refuse operands that are not 2-D', () => {
    const m = new Tensor(new Float64Array(6), [2, 3]);
    expectShapeError(() => matmul(new Tensor(new Float64Array(3), [3]), m), 'matmul', '[3]', '[2, 3]', '2-D');
    expectShapeError(() => matmul(m, new Tensor(new Float64Array(6), [3, 2, 1])), 'matmul', '[3, 2, 1]');
    expectShapeError(() => matmul(new Tensor([1], []), m), 'matmul', '[]');
  });

  it('refuse an out of the wrong shape, naming it and the expected shape', () => {
    const a = new Tensor(new Float64Array(6), [2, 3]);
    const b = new Tensor(new Float64Array(12), [3, 4]);
    expectShapeError(
      () => matmul(a, b, { out: new Tensor(new Float64Array(8), [4, 2]) }),
      'matmul',
      '[2, 3]',
      '[3, 4]',
      '[4, 2]',
      'out must have shape [2, 4]',
    );
    expectShapeError(() => matmul(a, b, { out: new Tensor(new Float64Array(8), [8]) }), 'matmul', '[8]');
  });

  it('refuse an out that shares memory with an operand', () => {
    const a = new Tensor(new Float64Array(9), [3, 3]);
    const b = new Tensor(new Float64Array(9), [3, 3]);
    expectShapeError(() => matmul(a, b, { out: a }), 'matmul', 'share memory');
    expectShapeError(() => matmul(a, b, { out: b.reshape([3, 3]) }), 'matmul', 'share memory');
  });
});

describe('matmul on the WASM backend equals the TypeScript reference', () => {
  // Sizes at and around the kernels' widths: 4-lane vectors, 4-row tiles, 8-column panels,
  // 24/16/8/4-column strips of the sparse kernels, and the chapter-5 sizes (10, 50, 100, 784).
  const edgeDim = fc.constantFrom(1, 2, 3, 4, 5, 7, 8, 9, 10, 12, 15, 16, 17, 23, 24, 25, 28, 31, 32, 33, 47, 48, 49, 50, 51, 52, 53);
  const dim = fc.oneof(edgeDim, fc.integer({ min: 1, max: 70 }));
  interface WasmCase extends Case {
    placeA: Placement;
    placeB: Placement;
    placeOut: Placement;
  }
  const wasmCaseArb: fc.Arbitrary<WasmCase> = fc.record({
    m: dim,
    k: fc.oneof(dim, fc.integer({ min: 60, max: 300 })),
    // Wide n too: the WASM kernels choose sparse or dense by n.
    n: fc.oneof({ weight: 4, arbitrary: dim }, { weight: 1, arbitrary: fc.integer({ min: 120, max: 200 }) }),
    seed: seedArb,
    kind: fc.constantFrom<DataKind>('uniform', 'sparse', 'mnist', 'ints'),
    useOut: fc.boolean(),
    placeA: fc.constantFrom<Placement>('kernel', 'heap'),
    placeB: fc.constantFrom<Placement>('kernel', 'heap'),
    placeOut: fc.constantFrom<Placement>('kernel', 'heap'),
  });

  function run(c: WasmCase, transA: boolean, transB: boolean): { wasm: Float32Array; js: Float32Array; ref: ReturnType<typeof reference> } {
    const a = place(randomTensor(transA ? [c.k, c.m] : [c.m, c.k], 'float32', c.seed, c.kind), c.placeA);
    const b = place(randomTensor(transB ? [c.n, c.k] : [c.k, c.n], 'float32', c.seed + 1, c.kind === 'mnist' ? 'uniform' : c.kind), c.placeB);
    const outFor = (): Tensor | undefined => {
      if (!c.useOut) return undefined;
      const out =
        c.placeOut === 'kernel' ? withBackend('wasm', () => zeros([c.m, c.n], 'float32', { kernel: true })) : zeros([c.m, c.n], 'float32', { kernel: false });
      out.data.fill(Number.NaN);
      return out;
    };
    const wasm = withBackend('wasm', () => matmul(a, b, { transA, transB, out: outFor() })).data as Float32Array;
    const js = withBackend('js', () => matmul(a, b, { transA, transB, out: outFor() })).data as Float32Array;
    return { wasm, js, ref: reference(a, b, transA, transB) };
  }

  describe.each(FORMS.filter((f) => !(f.transA && f.transB)))('$name', ({ transA, transB }) => {
    it('within float32 rounding of the reference, for any placement of A, B and out', () => {
      fc.assert(
        fc.property(wasmCaseArb, (c) => {
          const { wasm, js, ref } = run(c, transA, transB);
          const rel = tolerance('float32', ref.k);
          const what = `m=${c.m} k=${c.k} n=${c.n} ${c.kind}`;
          expectClose(wasm, ref.c, (i) => rel * ref.scale[i]!, `wasm ${what}`);
          expectClose(js, ref.c, (i) => rel * ref.scale[i]!, `js ${what}`);
          // The two backends round differently but each stays within the bound, so they differ by at most twice it.
          expectClose(wasm, js, (i) => 2 * rel * ref.scale[i]!, `wasm vs js ${what}`);
          if (c.kind === 'ints' && ref.k <= 300) {
            // |sums| ≤ 300·64 < 2^24: every partial sum is exact, so both give exactly the same numbers.
            expectSameValues(wasm, ref.c, `wasm exact ${what}`);
            expectSameValues(js, ref.c, `js exact ${what}`);
          }
        }),
        { numRuns: 60 },
      );
    });
  });

  it('gives the same bits whether the operands live in WASM memory or on the JS heap', () => {
    fc.assert(
      fc.property(wasmCaseArb, fc.constantFrom(...FORMS.filter((f) => !(f.transA && f.transB))), (c, form) => {
        const heap = run({ ...c, placeA: 'heap', placeB: 'heap', placeOut: 'heap' }, form.transA, form.transB).wasm;
        const kernel = run({ ...c, placeA: 'kernel', placeB: 'kernel', placeOut: 'kernel' }, form.transA, form.transB).wasm;
        expectSameValues(kernel, heap);
      }),
      { numRuns: 30 },
    );
  });

  it('runs the chapter-5 shapes (MNIST-like x, 85% zeros) through the sparse kernels on both backends', () => {
    const x = randomTensor([100, 784], 'float32', 3, 'mnist');
    expect(sampledZeroFraction(x.data)).toBeGreaterThan(0.75);
    const W1 = randomTensor([784, 50], 'float32', 4);
    const dout = randomTensor([100, 50], 'float32', 5);
    for (const [a, b, transA, transB] of [
      [x, W1, false, false],
      [x, dout, true, false],
      [dout, W1, false, true],
    ] as const) {
      const ref = reference(a, b, transA, transB);
      const rel = tolerance('float32', ref.k);
      for (const backend of ['wasm', 'js'] as const) {
        const c = withBackend(backend, () => matmul(a, b, { transA, transB }));
        expectClose(c.data, ref.c, (i) => rel * ref.scale[i]!, `${backend} ${transA ? 'Aᵀ' : 'A'}·${transB ? 'Bᵀ' : 'B'}`);
      }
    }
  });

  it('skips zeros of a sparse A on both backends: 0 · NaN and 0 · Infinity count as 0', () => {
    for (const transA of [false, true]) {
      const a = randomTensor(transA ? [40, 30] : [30, 40], 'float32', 7, 'mnist');
      const b = randomTensor([40, 20], 'float32', 8);
      // Poison every B row that only zeros of A multiply.
      const used = new Set<number>();
      for (let i = 0; i < 30; i++) for (let p = 0; p < 40; p++) if ((transA ? a.get(p, i) : a.get(i, p)) !== 0) used.add(p);
      for (let p = 0; p < 40; p++) if (!used.has(p)) for (let j = 0; j < 20; j++) b.set(j % 2 ? Number.NaN : Infinity, p, j);
      const ref = reference(a, b, transA, false);
      for (const backend of ['wasm', 'js'] as const) {
        const c = withBackend(backend, () => matmul(a, b, { transA }));
        for (let i = 0; i < c.size; i++) expect(Number.isFinite(c.data[i]!)).toBe(true);
        // Where the reference is finite (every poisoned term was 0 · poison = NaN there, so compare the finite ones).
        const rel = tolerance('float32', 40);
        for (let i = 0; i < c.size; i++) {
          if (Number.isFinite(ref.c[i]!)) expect(Math.abs(c.data[i]! - ref.c[i]!)).toBeLessThanOrEqual(rel * ref.scale[i]!);
        }
      }
    }
  });

  it('skips zeros of a sparse A in A·Bᵀ on WASM too (dx = dout · Wᵀ behind a ReLU)', () => {
    const a = randomTensor([30, 40], 'float32', 9, 'mnist');
    const b = randomTensor([200, 40], 'float32', 10);
    const used = new Set<number>();
    for (let i = 0; i < 30; i++) for (let p = 0; p < 40; p++) if (a.get(i, p) !== 0) used.add(p);
    for (let p = 0; p < 40; p++) if (!used.has(p)) for (let j = 0; j < 200; j++) b.set(Number.NaN, j, p);
    const c = withBackend('wasm', () => matmul(a, b, { transB: true }));
    for (let i = 0; i < c.size; i++) expect(Number.isFinite(c.data[i]!)).toBe(true);
    const clean = b.clone();
    for (let i = 0; i < clean.size; i++) if (Number.isNaN(clean.data[i]!)) clean.data[i] = 0;
    const ref = reference(a, clean, false, true);
    expectClose(c.data, ref.c, (i) => tolerance('float32', 40) * ref.scale[i]!);
  });

  it('refuses an out that overlaps an operand in the same buffer (subarrays, WASM memory)', () => {
    const backing = new Float32Array(64);
    const a = new Tensor(backing.subarray(0, 16), [4, 4]);
    const b = new Tensor(new Float32Array(16), [4, 4]);
    expectShapeError(() => matmul(a, b, { out: new Tensor(backing.subarray(8, 24), [4, 4]) }), 'matmul', 'share memory');
    // Disjoint parts of one buffer are fine.
    expect(matmul(a, b, { out: new Tensor(backing.subarray(16, 32), [4, 4]) }).shape).toEqual([4, 4]);
    withBackend('wasm', () => {
      const k = zeros([4, 4], 'float32', { kernel: true });
      if (isKernelPlaced(k)) expectShapeError(() => matmul(k, b, { out: new Tensor(k.data.subarray(0, 16), [4, 4]) }), 'matmul', 'share memory');
    });
  });
});
