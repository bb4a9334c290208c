import { checkGradients, checkLayer } from '@dlfs/gradcheck';
import { col2im, convOutputSize, type DType, im2col, mul, randn, Rng, ShapeError, sum, Tensor, tensor, zeros } from '@dlfs/tensor';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LayerConfigError } from './layer-config.js';
import { type MaxPool, type MaxPoolConfig, maxPool } from './max-pool.js';
import { countAllocations } from './test-support/count-allocations.js';
import { expectTensorClose } from './test-support/expect-close.js';
import { expectShapesAsCreated } from './test-support/expect-shapes.js';

const make = (config: MaxPoolConfig, inputShape: readonly number[]): MaxPool => maxPool.create(config, { rng: new Rng(0), inputShape }) as MaxPool;

/** Small whole numbers 0..levels−1: sums are exact and windows are full of ties. */
function wholeNumbers(shape: readonly number[], seed: number, levels: number, dtype: DType = 'float64'): Tensor {
  const rng = new Rng(seed);
  const t = zeros(shape, dtype);
  for (let i = 0; i < t.size; i++) t.data[i] = Math.floor(rng.uniform() * levels);
  return t;
}

/**
 * The book's Pooling (common/layers.py), step by step, as the oracle: im2col, each window's row of
 * size² values, np.argmax (the first maximum) and np.max; backward puts dout at each argmax of a
 * [rows, size²] zero matrix and folds it back with col2im, which adds where windows overlap.
 */
function bookPooling(x: Tensor, size: number, stride: number, dout: Tensor): { out: Float64Array; dx: Float64Array } {
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const oh = convOutputSize(h, size, stride);
  const ow = convOutputSize(w, size, stride);
  const col = im2col(x, size, size, stride, 0).data;
  const k = size * size;
  const out = new Float64Array(n * c * oh * ow);
  const dmax = new Float64Array(col.length);
  // Row r of col.reshape(-1, size²) is window (n, oy, ox) of channel ch, r = ((n·OH + oy)·OW + ox)·C + ch.
  for (let r = 0; r < col.length / k; r++) {
    let arg = 0;
    for (let j = 1; j < k; j++) if (col[r * k + j]! > col[r * k + arg]!) arg = j;
    const ch = r % c;
    const p = Math.floor(r / c);
    const [s, oy, ox] = [Math.floor(p / (oh * ow)), Math.floor(p / ow) % oh, p % ow];
    const o = ((s * c + ch) * oh + oy) * ow + ox;
    out[o] = col[r * k + arg]!;
    dmax[r * k + arg] = dout.data[o]!;
  }
  const dx = col2im(new Tensor(dmax, [n * oh * ow, c * k]), x.shape, size, size, stride, 0);
  return { out, dx: dx.data as Float64Array };
}

describe('MaxPool by hand and by the book', () => {
  it("pools the book's 4×4 example with 2×2 windows, stride 2, to [[2, 3], [4, 2]] and sends each gradient to its maximum", () => {
    // 7.3, figure 7-14 (checked with the book's Pooling in python3/numpy).
    const x = tensor([
      [
        [
          [1, 2, 1, 0],
          [0, 1, 2, 3],
          [3, 0, 1, 2],
          [2, 4, 0, 1],
        ],
      ],
    ]);
    const pool = make({ size: 2 }, [1, 4, 4]);
    expectTensorClose(pool.forward(x), [1, 1, 2, 2], [2, 3, 4, 2]);
    const dx = pool.backward(
      tensor([
        [
          [
            [1, 2],
            [3, 4],
          ],
        ],
      ]),
    );
    expectTensorClose(dx, [1, 1, 4, 4], [0, 1, 0, 0, 0, 0, 0, 2, 0, 0, 0, 4, 0, 3, 0, 0]);
  });

  it('gives a tie to the first maximum, row by row, and adds up gradients where windows overlap', () => {
    // By hand (and by the book's Pooling(2, 2, stride=1)): every window's maximum is 3; windows
    // (0, 0) and (0, 1) both pick x[0, 1], the first 3 in each; window (1, 0) picks x[1, 0] over x[1, 1].
    const x = tensor([
      [
        [
          [1, 3, 2],
          [3, 3, 0],
          [1, 0, 2],
        ],
      ],
    ]);
    const pool = make({ size: 2, stride: 1 }, [1, 3, 3]);
    expectTensorClose(pool.forward(x), [1, 1, 2, 2], [3, 3, 3, 3]);
    const dx = pool.backward(
      tensor([
        [
          [
            [1, 2],
            [4, 8],
          ],
        ],
      ]),
    );
    expectTensorClose(dx, [1, 1, 3, 3], [0, 1 + 2, 0, 4, 8, 0, 0, 0, 0]);
  });

  it("equals the book's im2col pooling on whole-number inputs full of ties, forward and backward, bit for bit", () => {
    fc.assert(
      fc.property(
        fc
          .record({
            n: fc.integer({ min: 1, max: 3 }),
            c: fc.integer({ min: 1, max: 3 }),
            h: fc.integer({ min: 1, max: 8 }),
            w: fc.integer({ min: 1, max: 8 }),
            size: fc.integer({ min: 1, max: 4 }),
            stride: fc.integer({ min: 1, max: 4 }),
            levels: fc.integer({ min: 1, max: 4 }),
            seed: fc.integer({ min: 0, max: 1 << 30 }),
          })
          .filter((g) => g.h >= g.size && g.w >= g.size),
        ({ n, c, h, w, size, stride, levels, seed }) => {
          const x = wholeNumbers([n, c, h, w], seed, levels);
          const pool = make({ size, stride }, [c, h, w]);
          const y = pool.forward(x, { train: true });
          const dout = wholeNumbers(y.shape, seed + 1, 9);
          const book = bookPooling(x, size, stride, dout);
          expect(Array.from(y.data)).toEqual(Array.from(book.out));
          expect(Array.from(pool.backward(dout).data)).toEqual(Array.from(book.dx));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('keeps the channels and samples apart', () => {
    // Sample 1 is sample 0 negated; channel 1 is channel 0 plus 10.
    const plane = [
      [5, 1],
      [2, 7],
    ];
    const shifted = plane.map((r) => r.map((v) => v + 10));
    const neg = (p: number[][]): number[][] => p.map((r) => r.map((v) => -v));
    const x = tensor([
      [plane, shifted],
      [neg(plane), neg(shifted)],
    ]);
    expectTensorClose(make({ size: 2 }, [2, 2, 2]).forward(x), [2, 2, 1, 1], [7, 17, -1, -11]);
  });

  it('takes a NaN in a window as its maximum, as np.max does, and the first NaN as np.argmax does', () => {
    const pool = make({ size: 2 }, [1, 2, 2]);
    const y = pool.forward(
      tensor([
        [
          [
            [1, Number.NaN],
            [Number.NaN, 5],
          ],
        ],
      ]),
    );
    expect(Number.isNaN(y.data[0])).toBe(true);
    expect(Array.from(pool.backward(tensor([[[[3]]]])).data)).toEqual([0, 3, 0, 0]);
  });
});

describe('max-pool def', () => {
  it('passes the conformance kit in float64, both passes, on assorted geometries', () => {
    const cases: [MaxPoolConfig, number[], number][] = [
      [{ size: 2 }, [1, 4, 4], 3],
      // Overlapping windows (stride < size) on an odd image with 2 channels.
      [{ size: 3, stride: 2 }, [2, 5, 5], 2],
      [{ size: 2, stride: 1 }, [3, 3, 4], 2],
      // Stride 3 leaves the last rows and columns out; a 1×1 window is the identity.
      [{ size: 3 }, [1, 7, 8], 2],
      [{ size: 1 }, [2, 3, 3], 2],
    ];
    for (const [config, inputShape, batch] of cases) {
      const report = checkLayer(maxPool, config, { inputShape, seed: 3, batch });
      expect(report.ok, report.summary).toBe(true);
    }
  });

  it('reports steps that cross a tie as kink crossings, not failures, on whole-number inputs', () => {
    // The kit's check (checkGradients, as checkLayer runs it) on an input of ties: L = Σ forward(x) ⊙ R.
    const pool = make({ size: 2, stride: 1 }, [2, 4, 4]);
    const x = wholeNumbers([2, 2, 4, 4], 5, 3);
    const r = randn([2, 2, 3, 3], new Rng(6));
    const target = {
      params: { dx: x },
      loss: () => sum(mul(pool.forward(x), r)),
      gradients: () => {
        pool.forward(x);
        return { dx: pool.backward(r).clone() };
      },
    };
    const report = checkGradients({ ...target, kinkSignature: () => pool.kinkSignature() });
    expect(report.ok, report.summary).toBe(true);
    const dx = report.params[0]!;
    expect(dx.kinks).toBeGreaterThan(0);
    expect(report.summary).toMatch(/kink crossings? left out/);
    // Without the signature the same ties are errors: the central difference there is half the gradient.
    const blind = checkGradients(target);
    expect(blind.ok).toBe(false);
    expect(blind.params[0]!.maxRelErrorSmooth).toBeGreaterThan(0.1);
  });

  it('has a kink signature saying which window position won, one-hot per output, that changes when a tie is crossed', () => {
    const pool = make({ size: 2 }, [1, 2, 4]);
    expect(Array.from(pool.kinkSignature())).toEqual([]);
    const x = tensor([
      [
        [
          [1, 4, 4, 0],
          [4, 2, 0, 9],
        ],
      ],
    ]);
    pool.forward(x);
    // Window 0: the first 4 is at (0, 1); window 1: the 9 at (1, 1).
    expect(Array.from(pool.kinkSignature())).toEqual([0, 1, 0, 0, 0, 0, 0, 1]);
    x.data[4] = 4.001;
    pool.forward(x);
    expect(Array.from(pool.kinkSignature())).toEqual([0, 0, 1, 0, 0, 0, 0, 1]);
    expect(maxPool.capabilities).toEqual({ kinks: true, windowMax: true });
  });

  it('shapes gives the shapes create makes, without allocating; stride defaults to size', () => {
    expectShapesAsCreated(maxPool, { size: 2 }, [30, 24, 24]);
    expectShapesAsCreated(maxPool, { size: 3, stride: 2 }, [2, 5, 5]);
    expectShapesAsCreated(maxPool, { size: 3 }, [1, 7, 8]);
    expect(maxPool.shapes!({ size: 2 }, [30, 24, 24])).toEqual({ outputShape: [30, 12, 12], params: {} });
    expect(maxPool.shapes!({ size: 2, stride: 1 }, [30, 24, 24])).toEqual({ outputShape: [30, 23, 23], params: {} });
    expect(countAllocations(() => maxPool.shapes!({ size: 2 }, [1_000_000, 1_000_000, 3]))).toBe(0);
  });

  it('validate returns good configs as given and rejects bad ones naming the field', () => {
    expect(maxPool.validate!({ size: 2 })).toEqual({ size: 2 });
    expect(maxPool.validate!({ size: 3, stride: 2 })).toEqual({ size: 3, stride: 2 });
    expect(() => maxPool.validate!({})).toThrow('max-pool: "size" must be a whole number >= 1, got undefined');
    expect(() => maxPool.validate!({ size: 0 })).toThrow('max-pool: "size" must be a whole number >= 1, got 0');
    expect(() => maxPool.validate!({ size: 2, stride: 1.5 })).toThrow('max-pool: "stride" must be a whole number >= 1, got 1.5');
    expect(() => maxPool.validate!({ size: 2, pad: 1 })).toThrow('max-pool: unknown config key "pad"; known keys: size, stride');
    expect(() => maxPool.validate!('2')).toThrow('max-pool: config must be an object such as { "size": 2 }, got "2"');
    let error: unknown;
    try {
      maxPool.validate!({ size: 2, stride: 0 });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(LayerConfigError);
    expect((error as LayerConfigError).field).toBe('stride');
  });

  it('refuses a flat inputShape and a window larger than the image, saying what to give', () => {
    expect(() => make({ size: 2 }, [784])).toThrow(ShapeError);
    expect(() => make({ size: 2 }, [784])).toThrow(
      /inputShape must be an image \[channels, height, width\].*got \[784\]; give the spec an inputShape such as \[1, 28, 28\]/,
    );
    const tooBig = (): unknown => make({ size: 5 }, [3, 4, 6]);
    expect(tooBig).toThrow(LayerConfigError);
    expect(tooBig).toThrow('max-pool: a window of "size" 5 does not fit the input [3, 4, 6]; give a "size" of at most 4');
    expect(() => maxPool.shapes!({ size: 5 }, [3, 4, 6])).toThrow(/"size" 5 does not fit/);
  });

  it('describes itself and every config field', () => {
    expect(maxPool.description).toMatch(/max pooling/i);
    expect(Object.keys(maxPool.configFields ?? {})).toEqual(['size', 'stride']);
  });
});

describe('MaxPool in a training loop', () => {
  const inputShape = [3, 6, 5];
  const x = randn([4, ...inputShape], new Rng(1));

  it('refuses inputs that are not batches of its images and a dout of the wrong shape', () => {
    const pool = make({ size: 2 }, inputShape);
    expect(() => pool.backward(zeros([4, 3, 3, 2]))).toThrow('max-pool: backward was called before forward');
    expect(() => pool.forward(zeros([4, 90]))).toThrow(
      'max-pool: x [4, 90] is not a batch of [3, 6, 5] images; give x the shape [batch, 3, 6, 5]: a network does when its spec has "inputShape": [3, 6, 5]',
    );
    expect(() => pool.forward(zeros([4, 3, 5, 6]))).toThrow(/matching inputShape/);
    pool.forward(x);
    expect(() => pool.backward(zeros([4, 3, 2, 3]))).toThrow(/dout \[4, 3, 2, 3\] must have the forward output's shape \[4, 3, 3, 2\]/);
  });

  it('keeps one output per mode: an evaluation pass never overwrites the training output', () => {
    const pool = make({ size: 2 }, inputShape);
    const trainOut = pool.forward(x, { train: true });
    const copy = Array.from(trainOut.data);
    expect(pool.forward(x, { train: true })).toBe(trainOut);
    expect(pool.forward(randn([2, ...inputShape], new Rng(2)))).not.toBe(trainOut);
    expect(Array.from(trainOut.data)).toEqual(copy);
  });

  it.each<DType>(['float32', 'float64'])('allocates nothing once warm in %s, after an evaluation pass on another batch size too', (dtype) => {
    const pool = make({ size: 3, stride: 2 }, inputShape);
    const xs = x.astype(dtype);
    const other = zeros([9, ...inputShape], dtype);
    const dout = randn([4, 3, 2, 2], new Rng(3), { dtype });
    const step = (): void => {
      pool.forward(xs, { train: true });
      pool.backward(dout);
    };
    step();
    pool.forward(other);
    step();
    expect(
      countAllocations(() => {
        for (let i = 0; i < 5; i++) step();
        pool.forward(other);
        step();
      }),
    ).toBe(0);
    const fresh = make({ size: 3, stride: 2 }, inputShape);
    expect(countAllocations(() => fresh.forward(xs, { train: true }))).toBeGreaterThan(0);
  });

  it('gives the same numbers in float32 and float64 on float32 values (a max and a scatter round nothing)', () => {
    const x32 = x.astype('float32');
    const dout32 = randn([4, 3, 5, 4], new Rng(4), { dtype: 'float32' });
    const p32 = make({ size: 2, stride: 1 }, inputShape);
    const p64 = make({ size: 2, stride: 1 }, inputShape);
    const y32 = p32.forward(x32);
    expect(y32.dtype).toBe('float32');
    expect(Array.from(y32.data)).toEqual(Array.from(p64.forward(x32.astype('float64')).data));
    const dx32 = p32.backward(dout32);
    expect(dx32.dtype).toBe('float32');
    // Overlapping windows add up to four float32 gradients in float32; float64 then rounded agrees within one rounding per add.
    const dx64 = p64.backward(dout32.astype('float64'));
    for (let i = 0; i < dx64.size; i++) expect(Math.abs(dx32.data[i]! - dx64.data[i]!)).toBeLessThanOrEqual(4 * 2 ** -24 * Math.abs(dx64.data[i]!) + 1e-45);
  });
});
