import { type DType, sameShape, type Tensor, zeros } from '@dlfs/tensor';

/**
 * `prev` when it already has this shape and dtype, else a new tensor: a layer makes its output
 * and gradient buffers once per batch shape and reuses them, so a steady training step
 * allocates nothing. New buffers are placed where the tensor kernels work in place (the WASM
 * arena, for float32 on the wasm backend).
 */
export function reuse(prev: Tensor | undefined, shape: readonly number[], dtype: DType): Tensor {
  return prev !== undefined && prev.dtype === dtype && sameShape(prev.shape, shape) ? prev : zeros(shape, dtype, { kernel: true });
}
