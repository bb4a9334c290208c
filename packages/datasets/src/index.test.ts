import { describe, expect, it } from 'vitest';
import * as datasets from './index.js';

describe('@dlfs/datasets exports', () => {
  it('exports exactly the curated runtime names', () => {
    expect(Object.keys(datasets).sort()).toEqual([
      'KAGGLE_ANSWER_HEADER',
      'KAGGLE_TEST_HEADER',
      'KAGGLE_TRAIN_HEADER',
      'KAGGLE_TRAIN_ROWS',
      'MNIST_PIXELS',
      'MNIST_SAMPLE_CLASS_COUNTS',
      'MNIST_SAMPLE_SIZE',
      'loadMnistSample',
      'mnistPixelsToBytes',
      'resampleKaggleTrain',
      'writeKaggleCsv',
    ]);
  });
});
