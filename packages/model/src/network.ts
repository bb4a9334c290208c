import { type Layer, LayerCreateError, type LayerRegistry } from '@dlfs/layers';
import { IdentityWithLoss, type Labels, type LossLayer, SoftmaxWithLoss } from '@dlfs/losses';
import { argmax, type DType, formatShape, type Rng, ShapeError, shapeSize, Tensor } from '@dlfs/tensor';
import { type NetworkSpec, SpecError } from './spec.js';

export interface BuildOptions {
  registry: LayerRegistry;
  /** Shape of one input sample: [784] for MNIST rows. */
  inputShape: readonly number[];
  rng: Rng;
  /** float32 for training speed (default), float64 for gradient checks. */
  dtype?: DType;
  /** When given, the network's output must have one value per class. */
  classes?: number;
  /** Where the spec came from, for error messages. */
  source?: string;
}

/**
 * A network built from a spec (5.7.2's TwoLayerNet, generalised): the layers in order, then the
 * loss layer. Parameters are named like the book's: W1, b1 for the first layer with params,
 * W2, b2 for the second, and so on; they are the layers' own tensors.
 */
export class Network {
  readonly spec: NetworkSpec;
  readonly inputShape: readonly number[];
  readonly outputShape: readonly number[];
  readonly dtype: DType;
  readonly layers: readonly Layer[];
  readonly lossLayer: LossLayer;
  readonly params: Readonly<Record<string, Tensor>>;
  readonly grads: Readonly<Record<string, Tensor>>;

  private constructor(spec: NetworkSpec, inputShape: readonly number[], dtype: DType, layers: Layer[]) {
    this.spec = spec;
    this.inputShape = Object.freeze([...inputShape]);
    this.dtype = dtype;
    this.layers = Object.freeze(layers);
    this.outputShape = layers.at(-1)?.outputShape ?? this.inputShape;
    this.lossLayer = spec.loss === 'identity-with-loss' ? new IdentityWithLoss() : new SoftmaxWithLoss();
    const params: Record<string, Tensor> = {};
    const grads: Record<string, Tensor> = {};
    let ordinal = 0;
    for (const layer of layers) {
      const names = Object.keys(layer.params);
      if (names.length === 0) continue;
      ordinal++;
      for (const name of names) {
        params[`${name}${ordinal}`] = layer.params[name]!;
        grads[`${name}${ordinal}`] = layer.grads[name]!;
      }
    }
    this.params = Object.freeze(params);
    this.grads = Object.freeze(grads);
  }

  static build(spec: NetworkSpec, opts: BuildOptions): Network {
    const source = opts.source ?? 'spec';
    const dtype = opts.dtype ?? 'float32';
    let shape: readonly number[] = opts.inputShape;
    const layers = spec.layers.map((layerSpec, i) => {
      try {
        const layer = opts.registry.create(layerSpec, { rng: opts.rng, inputShape: shape, dtype });
        shape = layer.outputShape;
        return layer;
      } catch (err) {
        const reason = err instanceof LayerCreateError && err.cause instanceof Error ? err.cause.message : err instanceof Error ? err.message : String(err);
        throw new SpecError(source, `layers[${i}] (${layerSpec.type})`, `${reason} (its input has shape ${formatShape(shape)})`);
      }
    });
    const outputs = shapeSize(shape);
    if (opts.classes !== undefined && spec.loss === 'softmax-with-loss' && outputs !== opts.classes) {
      throw new SpecError(
        source,
        `layers[${spec.layers.length - 1}]`,
        `the network ends with ${outputs} output${outputs === 1 ? '' : 's'} per sample but the data has ${opts.classes} classes; ` +
          `make the last layer's "units" ${opts.classes}`,
      );
    }
    return new Network(spec, opts.inputShape, dtype, layers);
  }

  private checkInput(x: Tensor): void {
    const features = shapeSize(this.inputShape);
    if (x.ndim < 1 || shapeSize(x.shape.slice(1)) !== features) {
      throw new ShapeError('network', [x.shape, [-1, ...this.inputShape]], `the input must have ${features} features per sample, as the network was built for`);
    }
  }

  /** Scores (before softmax) for a batch; `train` is passed to layers such as dropout. */
  predict(x: Tensor, train = false): Tensor {
    this.checkInput(x);
    let h = x;
    for (const layer of this.layers) h = layer.forward(h, { train });
    return h;
  }

  /** The loss of a batch. */
  loss(x: Tensor, t: Labels, train = false): number {
    return this.lossLayer.forward(this.predict(x, train), t);
  }

  /** The scores of the last `gradient` call's batch, before the loss layer. */
  lastScores: Tensor | undefined;

  /** 5.7.2: forward, then backward through every layer; fills `grads` and returns the loss. */
  gradient(x: Tensor, t: Labels): number {
    this.lastScores = this.predict(x, true);
    const loss = this.lossLayer.forward(this.lastScores, t);
    let dout = this.lossLayer.backward(1);
    // Nobody needs the gradient of the input itself: the first layer may skip computing it.
    for (let i = this.layers.length - 1; i >= 0; i--) dout = this.layers[i]!.backward(dout, { inputGradient: i > 0 });
    return loss;
  }

  /** The predicted class of every row, computed in chunks so a large set needs little memory. */
  predictClasses(x: Tensor, chunk = 1000): Int32Array {
    this.checkInput(x);
    const rows = x.shape[0]!;
    const out = new Int32Array(rows);
    for (let start = 0; start < rows; start += chunk) {
      const end = Math.min(rows, start + chunk);
      const scores = this.predict(rowsOf(x, start, end));
      out.set(argmax(scores.reshape([end - start, -1]), 1), start);
    }
    return out;
  }

  /** Fraction of rows whose predicted class equals the label. */
  accuracy(x: Tensor, labels: Int32Array, chunk = 1000): number {
    const predicted = this.predictClasses(x, chunk);
    if (predicted.length !== labels.length) {
      throw new ShapeError('accuracy', [x.shape, [labels.length]], `${predicted.length} rows but ${labels.length} labels`);
    }
    if (labels.length === 0) return 0;
    let hits = 0;
    for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) hits++;
    return hits / labels.length;
  }

  /**
   * What a gradient check needs (5.7.3), for @dlfs/gradcheck's checkGradients: the parameters,
   * the loss on (x, t), a copy of its backprop gradient, and the ReLU branches for kink detection.
   */
  gradientCheckTarget(x: Tensor, t: Labels): {
    params: Readonly<Record<string, Tensor>>;
    loss(): number;
    gradients(): Record<string, Tensor>;
    kinkSignature(): Uint8Array;
  } {
    return {
      params: this.params,
      loss: () => this.loss(x, t),
      gradients: () => {
        this.gradient(x, t);
        return Object.fromEntries(Object.entries(this.grads).map(([k, g]) => [k, g.clone()]));
      },
      kinkSignature: () => this.kinkSignature(),
    };
  }

  /** Which branch each non-smooth unit took in the last forward (for the gradient check). */
  kinkSignature(): Uint8Array {
    const parts = this.layers.map((l) => l.kinkSignature?.() ?? new Uint8Array(0));
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let offset = 0;
    for (const p of parts) {
      for (let i = 0; i < p.length; i++) out[offset + i] = p[i] ? 1 : 0;
      offset += p.length;
    }
    return out;
  }
}

/** Rows [start, end) of a row-major tensor, sharing its memory. */
export function rowsOf(x: Tensor, start: number, end: number): Tensor {
  const width = x.size / x.shape[0]!;
  return new Tensor(x.data.subarray(start * width, end * width), [end - start, ...x.shape.slice(1)]);
}
