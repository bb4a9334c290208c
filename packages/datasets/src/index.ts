// The browser-safe part of @dlfs/datasets: the sample's constants and type, and the pure Kaggle-format helpers. Reading the
// mnist package's files and writing CSV files need Node: they live in @dlfs/datasets/node.
export { MNIST_PIXELS, MNIST_SAMPLE_CLASS_COUNTS, MNIST_SAMPLE_SIZE, type MnistSample } from './mnist-sample.js';
export { KAGGLE_ANSWER_HEADER, KAGGLE_TEST_HEADER, KAGGLE_TRAIN_HEADER, KAGGLE_TRAIN_ROWS, mnistPixelsToBytes } from './kaggle-format.js';
