import { type Scaler, scalerFromJSON, type ScalerJson } from '@dlfs/data';
import { builtinLayers } from '@dlfs/layers';
import { softmax } from '@dlfs/losses';
import { Network, type NetworkSpec, parseModel } from '@dlfs/model';
import { Rng, shapeSize, Tensor } from '@dlfs/tensor';
import { firstConv, scoreSaliency } from '../ch7/saliency.js';

/** Pixels of the drawing pad's digit: 28 × 28. */
export const DIGIT_PIXELS = 784;

/**
 * A trained network with the preprocessing it was trained with, ready to classify one digit:
 * raw pixels (0..255, as Kaggle's CSV and `dlfs train` have them) → the model's scaler →
 * forward → softmax (3.5) computed in float64, so the ten probabilities sum to 1 to 1e-15.
 */
export class Predictor {
  private constructor(
    readonly network: Network,
    readonly scaler: Scaler,
    readonly classes: readonly (string | number)[],
    /** Where the model came from: "trained in this page", a file name. */
    readonly source: string,
    /** A model file's training summary (empty for the page's own model). */
    readonly training: Readonly<Record<string, unknown>> = {},
  ) {}

  /** The page's own model: the worker's spec and scaler; weights arrive with `setWeights`. */
  static fromSpec(spec: NetworkSpec, scaler: ScalerJson, source: string): Predictor {
    const classes = Array.from({ length: 10 }, (_, c) => c);
    const network = Network.build(spec, { registry: builtinLayers(), inputShape: [DIGIT_PIXELS], rng: new Rng(0), dtype: 'float32', classes: classes.length });
    return new Predictor(network, scalerFromJSON(scaler), classes, source);
  }

  /** A model file written by `dlfs train --out`: checked end to end by @dlfs/model's parseModel. */
  static fromModelFile(text: string, name: string): Predictor {
    const model = parseModel(text, { registry: builtinLayers(), source: name });
    const features = shapeSize(model.network.inputShape);
    if (features !== DIGIT_PIXELS) {
      throw new Error(
        `${name}: the model takes ${features} features per sample, but a drawn digit has ${DIGIT_PIXELS} (28 × 28 pixels); train it on MNIST-shaped data`,
      );
    }
    return new Predictor(model.network, model.scaler, model.classes, name, model.training);
  }

  /** Copies weight snapshots into the network's parameters, and state snapshots into its state. */
  setWeights(params: Readonly<Record<string, Float32Array>>, state: Readonly<Record<string, Float32Array>> = {}): void {
    for (const [kind, tensors, from] of [
      ['weights', this.network.params, params],
      ['state', this.network.state, state],
    ] as const) {
      for (const [name, t] of Object.entries(tensors)) {
        const w = from[name];
        if (w === undefined || w.length !== t.size) throw new Error(`${kind} for ${name}: expected ${t.size} values, got ${w?.length ?? 'none'}`);
        t.data.set(w);
      }
    }
  }

  /** One digit of 784 raw pixels 0..255 as the network takes it: [1, 784], through the model's scaler. */
  private input(pixels: ArrayLike<number>): Tensor {
    if (pixels.length !== DIGIT_PIXELS) throw new RangeError(`a digit has ${DIGIT_PIXELS} pixels, got ${pixels.length}`);
    const x = new Tensor(this.network.dtype === 'float64' ? Float64Array.from(pixels) : Float32Array.from(pixels), [1, DIGIT_PIXELS]);
    this.scaler.transform(x, x);
    return x;
  }

  /** The probability of every class for one digit of 784 raw pixels 0..255. */
  probabilities(pixels: ArrayLike<number>): Float64Array {
    const scores = this.network.predict(this.input(pixels)).astype('float64');
    return Float64Array.from(softmax(scores).data);
  }

  /**
   * Why that answer: the probabilities, the winning class, and the saliency map, ∂ score[best] /
   * ∂ input pixel (the input after the model's scaler) by the network's own backward pass; for a
   * convolutional network also the first convolution's feature maps after its ReLU.
   */
  explain(pixels: ArrayLike<number>): Explanation {
    const { scores, cls, gradient, outputs } = scoreSaliency(this.network, this.input(pixels));
    const probabilities = Float64Array.from(softmax(new Tensor(scores, [1, scores.length])).data);
    const conv = firstConv(this.network);
    let featureMaps: Explanation['featureMaps'];
    if (conv !== undefined) {
      const [count, height, width] = this.network.layers[conv.maps]!.outputShape as [number, number, number];
      featureMaps = { count, height, width, values: Float32Array.from(outputs[conv.maps]!.data) };
    }
    return { probabilities, best: cls, saliency: gradient, featureMaps };
  }

  /** The first convolution's filters ([filters, channels, size, size], the first channel drawn), or undefined without one. */
  filters(): { count: number; size: number; values: Float32Array } | undefined {
    const conv = firstConv(this.network);
    if (conv === undefined) return undefined;
    const W = this.network.params[conv.filters]!;
    const [count, channels, size] = W.shape as [number, number, number, number];
    const values = new Float32Array(count * size * size);
    for (let f = 0; f < count; f++) values.set(W.data.subarray(f * channels * size * size, (f * channels + 1) * size * size), f * size * size);
    return { count, size, values };
  }

  /** Whether the network convolves (chapter 7) rather than being all affine layers. */
  get convolutional(): boolean {
    return firstConv(this.network) !== undefined;
  }

  /** The validation accuracy a model file records from its training, if it does. */
  trainingAccuracy(): number | undefined {
    const v = this.training.valAccuracy;
    return typeof v === 'number' ? v : undefined;
  }

  /** "784-50-10" (or "1×28×28-conv 30×5×5-100-10"): the inputs, then the outputs of every layer with weights to initialise (its def says so). */
  describe(): string {
    const { network } = this;
    const sized = network.layers.filter((_, i) => network.layerDefs[i]?.capabilities?.weightInit !== undefined);
    // A convolution is named by its filters: "1×28×28-conv 30×5×5-100-10" for SimpleConvNet.
    const name = (l: (typeof sized)[number]): string => {
      const W = l.params.W;
      return W?.ndim === 4 ? `conv ${W.shape[0]}×${W.shape[2]}×${W.shape[3]}` : String(shapeSize(l.outputShape));
    };
    return [network.inputShape.join('×'), ...sized.map(name)].join('-');
  }
}

/** What `Predictor.explain` finds for one digit. */
export interface Explanation {
  readonly probabilities: Float64Array;
  /** Index of the winning class. */
  readonly best: number;
  /** ∂ score[best] / ∂ pixel for the 784 pixels (the scaled input), signed. */
  readonly saliency: Float64Array;
  /** The first convolution's outputs after its ReLU ([count, height, width]), for a convolutional network. */
  readonly featureMaps: { count: number; height: number; width: number; values: Float32Array } | undefined;
}
