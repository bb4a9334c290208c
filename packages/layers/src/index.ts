export type { BackwardContext, CreateContext, ForwardContext, Layer, LayerCapabilities, LayerDef, LayerSpec } from './layer.js';
export { DuplicateLayerError, LayerCreateError, LayerRegistry, UnknownLayerError } from './registry.js';
export { LayerConfigError } from './layer-config.js';
export { builtinLayers } from './builtin-layers.js';
export { Affine, affine, type AffineConfig } from './affine.js';
export { Relu, relu, type ReluConfig } from './relu.js';
export { Sigmoid, sigmoid, type SigmoidConfig } from './sigmoid.js';
export { MulLayer } from './mul-layer.js';
export { AddLayer } from './add-layer.js';
