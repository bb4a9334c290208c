// The Layer contract lives in @dlfs/core, where @dlfs/gradcheck and @dlfs/model read it too;
// it is re-exported here so that a plugin author imports everything from @dlfs/layers.
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
} from '@dlfs/core';
