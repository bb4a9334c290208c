export { loadMnistSample, MNIST_PIXELS, MNIST_SAMPLE_CLASS_COUNTS, MNIST_SAMPLE_SIZE, type LoadMnistSampleOptions, type MnistSample } from './mnist-sample.js';
export { KAGGLE_ANSWER_HEADER, KAGGLE_TEST_HEADER, KAGGLE_TRAIN_HEADER, mnistPixelsToBytes } from './kaggle-format.js';
export { writeKaggleCsv, type KaggleCsvFiles, type WriteKaggleCsvOptions } from './write-kaggle-csv.js';
export { KAGGLE_TRAIN_ROWS, resampleKaggleTrain, type ResampledKaggleTrain, type ResampleKaggleTrainOptions } from './resample-kaggle-train.js';
