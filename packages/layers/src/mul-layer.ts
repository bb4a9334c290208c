import { formatShape, mul, sameShape, ShapeError, Tensor } from '@dlfs/tensor';

/**
 * 5.4.1 The multiplication node of a computational graph: z = x · y, so ∂z/∂x = y and
 * ∂z/∂y = x. Works on two numbers or two tensors of one shape (element-wise).
 */
export class MulLayer {
  private x: number | Tensor | undefined;
  private y: number | Tensor | undefined;

  forward(x: number, y: number): number;
  forward(x: Tensor, y: Tensor): Tensor;
  forward(x: number | Tensor, y: number | Tensor): number | Tensor {
    if (typeof x === 'number' && typeof y === 'number') {
      this.x = x;
      this.y = y;
      return x * y;
    }
    if (x instanceof Tensor && y instanceof Tensor) {
      if (!sameShape(x.shape, y.shape)) {
        throw new ShapeError('MulLayer.forward', [x.shape, y.shape], `x ${formatShape(x.shape)} and y ${formatShape(y.shape)} must have the same shape`);
      }
      this.x = x;
      this.y = y;
      return mul(x, y);
    }
    throw new TypeError('MulLayer.forward: x and y must both be numbers or both be tensors');
  }

  /** 5.4.1: dx = dout · y, dy = dout · x (the inputs swapped). */
  backward(dout: number): [dx: number, dy: number];
  backward(dout: Tensor): [dx: Tensor, dy: Tensor];
  backward(dout: number | Tensor): [number, number] | [Tensor, Tensor] {
    const { x, y } = this;
    if (x === undefined || y === undefined) throw new Error('MulLayer: backward was called before forward');
    if (typeof dout === 'number' && typeof x === 'number' && typeof y === 'number') return [dout * y, dout * x];
    if (dout instanceof Tensor && x instanceof Tensor && y instanceof Tensor) {
      if (!sameShape(dout.shape, x.shape)) {
        throw new ShapeError(
          'MulLayer.backward',
          [dout.shape, x.shape],
          `dout ${formatShape(dout.shape)} must have the forward inputs' shape ${formatShape(x.shape)}`,
        );
      }
      return [mul(dout, y), mul(dout, x)];
    }
    throw new TypeError('MulLayer.backward: dout must be a number after a forward on numbers and a tensor after a forward on tensors');
  }
}
