/**
 * Local training on a node: tfjs loading (native when installed, else cpu) and the logistic-regression trainer that
 * each round runs from the decrypted global model before clipping, packing and encrypting the update.
 */
export { loadTf } from './tf-backend.js';
export type { LoadTfOptions, LoadedTf, TfBackendName, TfModule } from './tf-backend.js';
export { DEFAULT_TRAIN_OPTIONS, initialWeights, predictLinear, trainLogistic } from './logistic-trainer.js';
export type { LinearWeights, TrainOptions, TrainResult } from './logistic-trainer.js';
