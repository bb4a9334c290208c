export { defaultSpec, parseSpec, SpecError, type NetworkSpec } from './spec.js';
export { NAMED_SPECS } from './named-specs.js';
export { bookNames, LayerError, Network, rowsOf, type BuildOptions, type NamedTensor } from './network.js';
export {
  MAX_LAYERS,
  MAX_NETWORK_ELEMENTS,
  MAX_TENSOR_ELEMENTS,
  planNetwork,
  type LayerPlan,
  type NetworkPlan,
  type PlanOptions,
} from './network-plan.js';
export {
  DOCTOR_ITERATIONS,
  planRun,
  seedStreams,
  train,
  Trainer,
  type EpochMetrics,
  type IterationProgress,
  type LabelledData,
  type RunPlan,
  type Sampling,
  type SeedStreams,
  type StepResult,
  type StopReason,
  type TrainOptions,
  type TrainResult,
} from './trainer.js';
export {
  chanceAccuracy,
  checkChanceAccuracy,
  checkDeadRelu,
  checkInputScale,
  DEAD_RELU_ALERT,
  deadReluFraction,
  type DoctorWarning,
} from './doctor.js';
export {
  MODEL_FORMAT,
  MODEL_FORMAT_VERSION,
  ModelFileError,
  parseModel,
  serializeModel,
  type LoadedModel,
  type ModelContents,
  type Preprocessing,
  type TrainingSummary,
} from './model-file.js';
