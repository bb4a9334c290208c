import { formatShape, sameShape, ShapeError, type Tensor, zeros } from '@dlfs/tensor';

/**
 * One state buffer per param key, like the book's `self.v[key]`: zeros of the param's shape and
 * dtype, made on the key's first update and reused by every later one.
 */
export class StateTable {
  private readonly buffers = new Map<string, Tensor>();
  private readonly type: string;
  /** The book's name for the buffer: "v", "h", "m". */
  readonly name: string;

  constructor(type: string, name: string) {
    this.type = type;
    this.name = name;
  }

  /** The buffers made so far, by param key. */
  get view(): ReadonlyMap<string, Tensor> {
    return this.buffers;
  }

  /** Throws when `key` already has a buffer of another shape than `param`. */
  check(key: string, param: Tensor): void {
    const buffer = this.buffers.get(key);
    if (buffer !== undefined && !sameShape(buffer.shape, param.shape)) {
      throw new ShapeError(
        `${this.type}.update`,
        [param.shape, buffer.shape],
        `params[${JSON.stringify(key)}] has shape ${formatShape(param.shape)} but its ${this.name} was made for shape ${formatShape(buffer.shape)} ` +
          'by an earlier update; use a new optimizer for params of other shapes',
      );
    }
  }

  /**
   * The buffer of `key`: zeros like `param` on the key's first update, the same tensor after.
   * zeros places float32 state in WASM memory under the wasm backend, beside the params, where
   * the fused update kernels run on it in place.
   */
  of(key: string, param: Tensor): Tensor {
    let buffer = this.buffers.get(key);
    if (buffer === undefined) {
      buffer = zeros(param.shape, param.dtype);
      this.buffers.set(key, buffer);
    }
    return buffer;
  }
}

/**
 * Checks a whole update before any param changes, so a bad call leaves every param as it was:
 * each param needs a grad of its shape, and a param whose state exists must keep its shape.
 */
export function checkUpdate(
  type: string,
  params: Readonly<Record<string, Tensor>>,
  grads: Readonly<Record<string, Tensor>>,
  first?: StateTable,
  second?: StateTable,
): void {
  for (const key in params) {
    const param = params[key]!;
    const grad = grads[key];
    if (grad === undefined) {
      throw new Error(
        `${type}.update: grads has no entry ${JSON.stringify(key)} for params[${JSON.stringify(key)}] (shape ${formatShape(param.shape)}); ` +
          'grads needs a tensor under every key of params',
      );
    }
    if (!sameShape(grad.shape, param.shape)) {
      throw new ShapeError(
        `${type}.update`,
        [param.shape, grad.shape],
        `grads[${JSON.stringify(key)}] has shape ${formatShape(grad.shape)} but params[${JSON.stringify(key)}] has shape ${formatShape(param.shape)}; ` +
          'each grad must have the shape of its param',
      );
    }
    first?.check(key, param);
    second?.check(key, param);
  }
}
