import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { dlfs, hasStackTrace, tempDir } from './test-support/run-dlfs.js';

let dir: string;
beforeAll(() => {
  dir = tempDir();
  expect(dlfs(['sample', '--out', 'k', '--train-rows', '300', '--test-rows', '20'], dir).code).toBe(0);
  expect(dlfs(['train', '--data', 'k/train.csv', '--iters', '20', '--out', 'model.json'], dir).code).toBe(0);
  mkdirSync(join(dir, 'a-folder'));
  writeFileSync(join(dir, 'a-file'), 'x');
});

/** Runs dlfs and expects a one-line user error naming `path`, before any work (no "training" line, nothing written). */
function refused(args: string[], message: RegExp): void {
  const before = readdirSync(dir).sort();
  const r = dlfs(args, dir);
  expect(r.code, r.stdout).toBe(1);
  expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(/training \d+-|bug in dlfs/);
  expect(hasStackTrace(r.stderr)).toBe(false);
  expect(readdirSync(dir).sort()).toEqual(before);
}

describe('output paths are checked before any work starts', () => {
  it('train --out in a folder that does not exist', () => {
    refused(['train', '--out', 'missing/dir/m.json'], /--out missing\/dir\/m\.json: the folder .*missing\/dir does not exist; create it first \(mkdir -p /);
  });

  it('train --out naming a folder, or below a file', () => {
    refused(['train', '--out', 'a-folder'], /--out a-folder: is a folder; give a file name, such as a-folder\/model\.json/);
    refused(['train', '--out', 'a-file/m.json'], /--out a-file\/m\.json: .*a-file is a file, so no folder can be below it/);
  });

  it('train --metrics in a folder that does not exist (checked before training, not after saving the model)', () => {
    refused(['train', '--out', 'fine.json', '--metrics', 'nowhere/metrics.json'], /--metrics nowhere\/metrics\.json: the folder .* does not exist/);
  });

  it('predict --out into a missing folder or onto a folder', () => {
    refused(['predict', '--model', 'model.json', '--data', 'k/test.csv', '--out', 'no/sub.csv'], /--out no\/sub\.csv: the folder .* does not exist/);
    refused(['predict', '--model', 'model.json', '--data', 'k/test.csv', '--out', 'a-folder'], /--out a-folder: is a folder/);
  });

  it('sample --out onto a file, or below one', () => {
    refused(['sample', '--out', 'a-file'], /--out a-file: is a file, not a folder; give a folder to write into/);
    refused(['sample', '--out', 'a-file/k2'], /--out a-file\/k2: .*a-file is a file, so no folder can be below it/);
    refused(['sample', '--resample', '100', '--out', 'a-folder'], /--out a-folder: is a folder/);
  });

  it('a good path still works, and sample makes a folder that does not exist yet', () => {
    expect(dlfs(['sample', '--out', 'new/k3', '--train-rows', '50', '--test-rows', '10'], dir).code).toBe(0);
    expect(readdirSync(join(dir, 'new', 'k3')).sort()).toEqual(['test.csv', 'test_labels.csv', 'train.csv']);
  });
});
