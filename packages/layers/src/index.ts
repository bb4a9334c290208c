export type {
  BackwardContext,
  CreateContext,
  ForwardContext,
  Layer,
  LayerCapabilities,
  LayerDef,
  LayerSpec,
  OnnxAttribute,
  OnnxLayerContext,
} from './layer.js';
export { DuplicateLayerError, LayerCreateError, LayerRegistry, UnknownLayerError } from './registry.js';
export { LayerConfigError } from './layer-config.js';
export { builtinLayers } from './builtin-layers.js';
export { Affine, affine, type AffineConfig } from './affine.js';
export { Relu, relu, type ReluConfig } from './relu.js';
export { Sigmoid, sigmoid, type SigmoidConfig } from './sigmoid.js';
export { BatchNorm, batchNorm, type BatchNormConfig } from './batch-norm.js';
export { Dropout, dropout, type DropoutConfig } from './dropout.js';
export { Conv2d, conv2d, type Conv2dConfig, type Conv2dOptions } from './conv2d.js';
export { MaxPool, maxPool, type MaxPoolConfig } from './max-pool.js';
export { MulLayer } from './mul-layer.js';
export { AddLayer } from './add-layer.js';
