import { describe, expect, it } from 'vitest';
import * as datasets from './index.js';
import * as node from './node.js';

describe('@dlfs/datasets exports', () => {
  it('exports exactly the curated runtime names from the browser-safe main entry', () => {
    expect(Object.keys(datasets).sort()).toEqual([
      'KAGGLE_ANSWER_HEADER',
      'KAGGLE_TEST_HEADER',
      'KAGGLE_TRAIN_HEADER',
      'KAGGLE_TRAIN_ROWS',
      'MNIST_PIXELS',
      'MNIST_SAMPLE_CLASS_COUNTS',
      'MNIST_SAMPLE_SIZE',
      'mnistPixelsToBytes',
    ]);
  });

  it('exports what reads or writes files from @dlfs/datasets/node, and nothing of the main entry again', () => {
    expect(Object.keys(node).sort()).toEqual(['loadMnistSample', 'resampleKaggleTrain', 'writeKaggleCsv']);
  });
});
