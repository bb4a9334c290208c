// Gathering rows: the mini-batch of a training step (the book's x[batch_mask]).

/**
 * out[k, :] = x[idx[k], :] for k < count: whole rows of rowBytes bytes, each one bulk memory
 * copy. idx holds i32 row numbers; x and out are row-major.
 */
export function copyRows(x: usize, idx: usize, count: i32, rowBytes: i32, out: usize): void {
  const row = <usize>rowBytes;
  for (let k = 0; k < count; k++) {
    const r = <usize>load<i32>(idx + (<usize>k << 2));
    memory.copy(out + <usize>k * row, x + r * row, row);
  }
}
