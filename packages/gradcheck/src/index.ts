export { numericalGradient, type NumericalGradientOptions } from './numerical-gradient.js';
export {
  checkGradients,
  type EntryReport,
  type GradientCheckOptions,
  type GradientCheckReport,
  type GradientCheckTarget,
  type ParamReport,
} from './check-gradients.js';
export {
  checkLayer,
  type CheckLayerOptions,
  type LayerDefLike,
  type LayerGradientReport,
  type LayerLike,
  type LayerReport,
  type PassMode,
  type WorstOffender,
} from './check-layer.js';
export { relativeError } from './relative-error.js';
