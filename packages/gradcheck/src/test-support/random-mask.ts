// A test-only layer with a random mask, as dropout has one (6.4.3), for the conformance kit's
// tests: not a built-in.
import type { ForwardContext, Layer, LayerDef } from '@dlfs/core';
import { type Rng, Tensor } from '@dlfs/tensor';

/**
 * Inverted dropout: in training y = x ⊙ m / keep with m ~ Bernoulli(keep) drawn per element from
 * the pass's rng, so dx = dout ⊙ m / keep; in evaluation y = x and dx = dout. With `flaw:
 * 'own-rng'` it draws from the Rng of create instead, so a pass cannot be replayed.
 */
export function randomMask(flaw?: 'own-rng'): LayerDef<{ keep: number }> {
  return {
    type: 'random-mask',
    capabilities: { random: true },
    create({ keep }, { rng: createRng, inputShape }): Layer {
      let mask: Float64Array | undefined;
      let train = false;
      return {
        params: {},
        grads: {},
        outputShape: [...inputShape],
        forward(x, ctx?: ForwardContext) {
          train = ctx?.train ?? false;
          const y = new Tensor(new Float64Array(x.size), x.shape);
          if (!train) {
            y.data.set(x.data);
            return y;
          }
          const rng: Rng = flaw === 'own-rng' ? createRng : (ctx?.rng ?? createRng);
          mask = new Float64Array(x.size);
          for (let i = 0; i < x.size; i++) {
            mask[i] = rng.uniform() < keep ? 1 / keep : 0;
            y.data[i] = x.data[i]! * mask[i]!;
          }
          return y;
        },
        backward(dout) {
          const dx = new Tensor(new Float64Array(dout.size), dout.shape);
          for (let i = 0; i < dout.size; i++) dx.data[i] = train ? dout.data[i]! * mask![i]! : dout.data[i]!;
          return dx;
        },
      };
    },
  };
}
