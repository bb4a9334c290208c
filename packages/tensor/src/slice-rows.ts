import { ShapeError } from './shape.js';
import { Tensor, type TypedArray } from './tensor.js';

/**
 * A view's parent array, kept alive as long as the view is: the WASM memory behind a placed
 * tensor goes back to the arena when its array is garbage-collected, and a subarray alone does
 * not keep that array alive. Keyed weakly by the view, so the pair goes when the view goes.
 */
const parents = new WeakMap<TypedArray, TypedArray>();

/**
 * Rows [start, end) of x along the first axis, sharing x's memory (no copy): writing one writes
 * the other. Safe to keep after x itself is dropped: the view keeps x's memory alive.
 */
export function sliceRows(x: Tensor, start: number, end: number): Tensor {
  if (x.ndim === 0) throw new ShapeError('sliceRows', [x.shape], 'x is a scalar; it needs a first axis of rows');
  const rows = x.shape[0]!;
  if (!(Number.isInteger(start) && Number.isInteger(end) && 0 <= start && start <= end && end <= rows)) {
    throw new RangeError(`sliceRows: rows [${start}, ${end}) are not within the ${rows} rows of x`);
  }
  const width = rows === 0 ? 0 : x.size / rows;
  const data = x.data.subarray(start * width, end * width);
  parents.set(data, parents.get(x.data) ?? x.data);
  return new Tensor(data, [end - start, ...x.shape.slice(1)]);
}
