import { add, formatShape, sameShape, ShapeError, Tensor } from '@dlfs/tensor';

/**
 * 5.4.2 The addition node of a computational graph: z = x + y, so ∂z/∂x = ∂z/∂y = 1 and
 * dout passes through unchanged. Works on two numbers or two tensors of one shape.
 */
export class AddLayer {
  /** The forward inputs' shape, to check dout against; undefined after numbers. */
  private shape: readonly number[] | undefined;

  forward(x: number, y: number): number;
  forward(x: Tensor, y: Tensor): Tensor;
  forward(x: number | Tensor, y: number | Tensor): number | Tensor {
    if (typeof x === 'number' && typeof y === 'number') {
      this.shape = undefined;
      return x + y;
    }
    if (x instanceof Tensor && y instanceof Tensor) {
      if (!sameShape(x.shape, y.shape)) {
        throw new ShapeError('AddLayer.forward', [x.shape, y.shape], `x ${formatShape(x.shape)} and y ${formatShape(y.shape)} must have the same shape`);
      }
      this.shape = x.shape;
      return add(x, y);
    }
    throw new TypeError('AddLayer.forward: x and y must both be numbers or both be tensors');
  }

  /** 5.4.2: dx = dout · 1, dy = dout · 1; tensors come back as two copies, so neither aliases dout. */
  backward(dout: number): [dx: number, dy: number];
  backward(dout: Tensor): [dx: Tensor, dy: Tensor];
  backward(dout: number | Tensor): [number, number] | [Tensor, Tensor] {
    if (typeof dout === 'number') return [dout, dout];
    if (this.shape !== undefined && !sameShape(dout.shape, this.shape)) {
      throw new ShapeError(
        'AddLayer.backward',
        [dout.shape, this.shape],
        `dout ${formatShape(dout.shape)} must have the forward inputs' shape ${formatShape(this.shape)}`,
      );
    }
    return [dout.clone(), dout.clone()];
  }
}
