import { describe, expect, it } from 'vitest';
import * as data from './index.js';
import * as node from './node.js';

describe('@dlfs/data exports', () => {
  it('exports exactly the curated runtime names', () => {
    expect(Object.keys(data).sort()).toEqual([
      'BatchSampler',
      'CsvError',
      'Divide255Scaler',
      'IdentityScaler',
      'ImageAugmenter',
      'MinMaxScaler',
      'ScalerError',
      'createScaler',
      'featureStats',
      'gatherLabels',
      'gatherRows',
      'oneHot',
      'parseAugment',
      'scalerFromJSON',
      'splitRows',
      'trainValSplit',
    ]);
  });

  it('keeps file reading and writing in the Node-only entry, so the main entry runs in browsers', () => {
    expect(Object.keys(node).sort()).toEqual(['AtomicFile', 'loadCsv', 'writeFileAtomic', 'writeFilesAtomically']);
  });
});
