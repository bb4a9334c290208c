import { type LayerDef, relu, type ReluConfig } from '@dlfs/layers';

/**
 * A planted bug for the gradient-check demo: ReLU whose backward forgets its mask and passes
 * dout through everywhere (dx = dout instead of dout where x > 0). Its forward is the real one,
 * so the loss is right and only the backprop gradient is wrong: exactly what the check catches.
 * Registered as "relu" in a registry of its own, it swaps in without touching the spec.
 */
export const reluWithoutMask: LayerDef<ReluConfig> = {
  type: 'relu',
  description: 'ReLU with a bug: backward ignores the mask',
  configFields: {},
  validate: (config) => relu.validate!(config),
  create(config, ctx) {
    const layer = relu.create(config, ctx);
    return {
      params: layer.params,
      grads: layer.grads,
      outputShape: layer.outputShape,
      forward: (x, fctx) => layer.forward(x, fctx),
      backward: (dout) => dout.clone(),
      kinkSignature: () => layer.kinkSignature?.() ?? new Uint8Array(0),
    };
  },
};
