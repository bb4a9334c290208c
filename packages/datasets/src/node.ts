// The Node-only part of @dlfs/datasets: reading the mnist package's JSON files from disk, and writing Kaggle CSV files. The main
// entry stays usable in browsers.
export { loadMnistSample, type LoadMnistSampleOptions } from './load-mnist-sample.js';
export { writeKaggleCsv, type KaggleCsvFiles, type WriteKaggleCsvOptions } from './write-kaggle-csv.js';
export { resampleKaggleTrain, type ResampledKaggleTrain, type ResampleKaggleTrainOptions } from './resample-kaggle-train.js';
