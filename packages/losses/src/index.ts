export { checkLabels, type CheckedLabels, type Labels } from './labels.js';
export { softmax } from './softmax.js';
export { logSoftmax } from './log-softmax.js';
export { crossEntropyError } from './cross-entropy-error.js';
export { meanSquaredError } from './mean-squared-error.js';
export type { LossLayer } from './loss-layer.js';
export { SoftmaxWithLoss } from './softmax-with-loss.js';
export { IdentityWithLoss } from './identity-with-loss.js';
