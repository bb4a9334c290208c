export {
  anyOf,
  boolean,
  ConfigError,
  ConfigSchema,
  defineConfig,
  type Field,
  type Fields,
  formatValue,
  number,
  oneOf,
  optional,
  required,
  type Rule,
  type SchemaOptions,
  shape,
  wholeNumber,
} from './config-schema.js';
export { type Def, DuplicateTypeError, Registry, type RegistryKind, UnknownTypeError } from './registry.js';
export {
  type BackwardContext,
  type Configurable,
  type CreateContext,
  describeConfig,
  type ForwardContext,
  type Layer,
  type LayerCapabilities,
  type LayerDef,
  type LayerSpec,
  type OnnxAttribute,
  type OnnxLayerContext,
  validateConfig,
} from './layer.js';
export { LayerContractError, resolveLayer, type ShapedLayer } from './layer-contract.js';
