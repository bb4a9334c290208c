export { defaultSpec, LOSS_TYPES, parseSpec, SpecError, type LossType, type NetworkSpec } from './spec.js';
export { Network, rowsOf, type BuildOptions } from './network.js';
export {
  DOCTOR_ITERATIONS,
  train,
  type EpochMetrics,
  type IterationProgress,
  type LabelledData,
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
