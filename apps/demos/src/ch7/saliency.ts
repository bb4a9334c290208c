import type { Network } from '@dlfs/model';
import type { Tensor } from '@dlfs/tensor';
import { zeros } from '@dlfs/tensor';

const EVAL = Object.freeze({ train: false });

/**
 * An evaluation pass layer by layer, as Network.predict runs it, keeping every layer's output.
 * The outputs are the layers' own buffers: valid until the next pass.
 */
export function traceForward(network: Network, x: Tensor): Tensor[] {
  let h = x.reshape([x.shape[0]!, ...network.inputShape]);
  const outputs: Tensor[] = [];
  for (const layer of network.layers) {
    h = layer.forward(h, EVAL);
    outputs.push(h);
  }
  return outputs;
}

export interface Saliency {
  /** The scores (the last layer's output, before softmax) of the one sample. */
  readonly scores: Float64Array;
  /** The class whose score was differentiated: the winning one unless a class was given. */
  readonly cls: number;
  /** ∂ scores[cls] / ∂ x: one value per input feature of the network (after preprocessing). */
  readonly gradient: Float64Array;
  /** Every layer's output in the evaluation pass (views of the layers' buffers). */
  readonly outputs: Tensor[];
}

/**
 * "Why that answer": the gradient of one class's score with respect to every input feature of
 * one sample x ([1, features]), by the network's own backward pass run down to the input.
 * Network.gradient starts from the loss and lets the first layer skip its dx
 * (`inputGradient: false`); here backward starts from the score (dout = 1 at `cls`, 0 elsewhere)
 * and every layer, the first too, is asked for its input gradient. The layers' `grads` are
 * overwritten on the way, so use a network that is not being trained (the page's predictor).
 */
export function scoreSaliency(network: Network, x: Tensor, cls?: number): Saliency {
  if (x.shape[0] !== 1) throw new RangeError(`scoreSaliency takes one sample, got ${x.shape[0]}`);
  const outputs = traceForward(network, x);
  const last = outputs.at(-1)!;
  const scores = Float64Array.from(last.data);
  let chosen = cls ?? 0;
  if (cls === undefined) for (let k = 1; k < scores.length; k++) if (scores[k]! > scores[chosen]!) chosen = k;
  if (!(Number.isInteger(chosen) && chosen >= 0 && chosen < scores.length)) throw new RangeError(`no class ${chosen} among ${scores.length} scores`);
  let dout = zeros(last.shape, last.dtype);
  dout.data[chosen] = 1;
  for (let i = network.layers.length - 1; i >= 0; i--) dout = network.layers[i]!.backward(dout, { inputGradient: true });
  return { scores, cls: chosen, gradient: Float64Array.from(dout.data), outputs };
}

/** The first convolution of a network and the layer whose output shows its feature maps (its ReLU when one follows). */
export function firstConv(network: Network): { conv: number; maps: number; filters: string } | undefined {
  const conv = network.layers.findIndex((l) => l.params.W?.ndim === 4);
  if (conv < 0) return undefined;
  const name = network.paramNames.find((n) => n.layer === conv && n.key === 'W')?.name ?? 'W1';
  // The activation right after it (its units can die: a ReLU), when there is one.
  const maps = network.layerDefs[conv + 1]?.capabilities?.deadUnits === true ? conv + 1 : conv;
  return { conv, maps, filters: name };
}
