import { type Rng, ShapeError, Tensor, toKernel, zeros } from '@dlfs/tensor';
import { gatherLabels, gatherRows } from './gather.js';

/**
 * 'replacement': every batch is `batchSize` rows drawn with replacement, the book's
 * `np.random.choice(train_size, batch_size)` (4.5.2). 'epoch': the rows are shuffled at the
 * start of each epoch and walked through in batches, so each row is seen once per epoch.
 */
export type BatchMode = 'replacement' | 'epoch';

export interface BatchSamplerOptions {
  batchSize: number;
  mode: BatchMode;
  /** Where all randomness comes from. */
  rng: Rng;
  /** The rows to sample from, e.g. the training split's indices; default all rows of x. */
  rows?: Int32Array | ArrayLike<number>;
  /**
   * 'epoch' mode: skip the last, smaller batch of each epoch (default false: it is returned
   * with fewer rows).
   */
  dropLast?: boolean;
}

/** One mini-batch. Its tensors and arrays are the sampler's buffers: the next call overwrites them. */
export interface Batch {
  /** [size, ...x.shape.slice(1)], x's dtype. */
  readonly x: Tensor;
  /** The rows' labels, when the sampler has labels. */
  readonly labels: Int32Array | undefined;
  /** Which rows of x are in the batch. */
  readonly indices: Int32Array;
  /** Rows in this batch: batchSize, or fewer for the last batch of an epoch. */
  readonly size: number;
  /** 0-based epoch the batch belongs to. */
  readonly epoch: number;
  /** 0-based position of the batch in its epoch. */
  readonly batch: number;
}

type MutableBatch = { -readonly [K in keyof Batch]: Batch[K] };

/**
 * Draws mini-batches of the rows of `x` (and their `labels`). After construction it
 * allocates nothing: each batch is gathered into the same buffers (a short last batch uses
 * views of their first rows), so copy a batch you want to keep.
 */
export class BatchSampler {
  /**
   * Batches in one epoch: ceil(rows / batchSize), floor with dropLast. In 'replacement' mode an
   * epoch is notional, as in the book's `iter_per_epoch`: ceil(rows / batchSize) draws.
   */
  readonly batchesPerEpoch: number;
  readonly batchSize: number;
  readonly mode: BatchMode;
  private readonly rng: Rng;
  private readonly pool: Int32Array;
  private readonly full: MutableBatch;
  private readonly short: MutableBatch | undefined;
  private readonly draws: Int32Array;
  private epoch = -1;
  private batch = 0;
  private pos = 0;
  private readonly limit: number;

  private readonly x: Tensor;

  /**
   * `x` is read where the batch kernels work: float32 rows on the JS heap are copied into WASM
   * memory once, here (pass rows that already live there, such as a placed gatherRows result, to
   * avoid holding them twice); rows already in place, and float64 rows, are used as they are.
   */
  constructor(
    x: Tensor,
    private readonly labels: Int32Array | undefined,
    opts: BatchSamplerOptions,
  ) {
    this.x = toKernel(x);
    const { batchSize, mode, rng } = opts;
    if (x.ndim === 0) throw new ShapeError('BatchSampler', [x.shape], 'x is a scalar; it needs a first axis of rows');
    const n = x.shape[0]!;
    if (labels !== undefined && labels.length !== n) {
      throw new RangeError(`BatchSampler: x has ${n} rows but labels has ${labels.length}; give one label per row`);
    }
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`BatchSampler: batchSize must be a whole number >= 1, got ${batchSize}`);
    if (mode !== 'replacement' && mode !== 'epoch') throw new RangeError(`BatchSampler: mode must be 'replacement' or 'epoch', got ${JSON.stringify(mode)}`);
    if (typeof rng?.int !== 'function') throw new TypeError('BatchSampler: rng must be an Rng from @dlfs/tensor, e.g. new Rng(seed)');
    this.pool = Int32Array.from(opts.rows ?? { length: n }, (r, i) => {
      const v = opts.rows === undefined ? i : r;
      if (!Number.isInteger(v) || v < 0 || v >= n) throw new RangeError(`BatchSampler: rows[${i}] is ${v}, not a row index of x (0..${n - 1})`);
      return v;
    });
    const poolSize = this.pool.length;
    if (poolSize === 0) throw new RangeError('BatchSampler: there are no rows to sample from');
    const dropLast = opts.dropLast ?? false;
    if (mode === 'epoch' && dropLast && poolSize < batchSize) {
      throw new RangeError(`BatchSampler: with dropLast, ${poolSize} rows make no full batch of ${batchSize}; lower batchSize or drop dropLast`);
    }
    this.batchSize = batchSize;
    this.mode = mode;
    this.rng = rng;
    this.limit = mode === 'epoch' && dropLast ? poolSize - (poolSize % batchSize) : poolSize;
    this.batchesPerEpoch = mode === 'epoch' && dropLast ? Math.floor(poolSize / batchSize) : Math.ceil(poolSize / batchSize);
    this.pos = this.limit;

    const size = mode === 'epoch' ? Math.min(batchSize, poolSize) : batchSize;
    const rest = x.shape.slice(1);
    const width = n === 0 ? 0 : x.size / n;
    // The batch lives where the tensor kernels read it in place (the WASM arena for float32).
    const xData = zeros([size * width], x.dtype, { kernel: true }).data;
    const indices = new Int32Array(size);
    const labelData = labels === undefined ? undefined : new Int32Array(size);
    this.full = { x: new Tensor(xData, [size, ...rest]), labels: labelData, indices, size, epoch: 0, batch: 0 };
    const shortSize = mode === 'epoch' ? this.limit % size : 0;
    if (shortSize !== 0) {
      this.short = {
        x: new Tensor(xData.subarray(0, shortSize * width), [shortSize, ...rest]),
        labels: labelData?.subarray(0, shortSize),
        indices: indices.subarray(0, shortSize),
        size: shortSize,
        epoch: 0,
        batch: 0,
      };
    }
    this.draws = mode === 'replacement' ? new Int32Array(batchSize) : new Int32Array(0);
  }

  /** The next mini-batch. */
  next(): Batch {
    return this.mode === 'replacement' ? this.nextWithReplacement() : this.nextInEpoch();
  }

  private nextWithReplacement(): Batch {
    if (this.epoch === -1 || this.batch === this.batchesPerEpoch) {
      this.epoch++;
      this.batch = 0;
    }
    const b = this.full;
    // np.random.choice(train_size, batch_size): positions in the pool, then the rows they stand for.
    this.rng.choice(this.pool.length, this.batchSize, this.draws);
    for (let i = 0; i < this.batchSize; i++) b.indices[i] = this.pool[this.draws[i]!]!;
    return this.fill(b);
  }

  private nextInEpoch(): Batch {
    if (this.pos >= this.limit) {
      this.rng.shuffle(this.pool);
      this.pos = 0;
      this.epoch++;
      this.batch = 0;
    }
    const size = Math.min(this.full.size, this.limit - this.pos);
    const b = size === this.full.size ? this.full : this.short!;
    for (let i = 0; i < size; i++) b.indices[i] = this.pool[this.pos + i]!;
    this.pos += size;
    return this.fill(b);
  }

  private fill(b: MutableBatch): Batch {
    gatherRows(this.x, b.indices, b.x);
    if (this.labels !== undefined) gatherLabels(this.labels, b.indices, b.labels);
    b.epoch = this.epoch;
    b.batch = this.batch++;
    return b;
  }
}
