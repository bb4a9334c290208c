import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { dlfs, hasStackTrace, tempDir } from '../test-support/run-dlfs.js';

let dir: string;
beforeAll(() => {
  dir = tempDir();
  expect(dlfs(['sample', '--out', 'kaggle', '--train-rows', '2000', '--test-rows', '500'], dir).code).toBe(0);
  const r = dlfs(['train', '--data', 'kaggle/train.csv', '--iters', '400', '--out', 'model.json'], dir);
  expect(r.code, r.stderr).toBe(0);
});

describe('the Kaggle workflow: predict, score, evaluate', () => {
  it('predict writes a Kaggle submission for test.csv, and score grades it against the answer key', () => {
    const p = dlfs(['predict', '--model', 'model.json', '--data', 'kaggle/test.csv', '--out', 'submission.csv'], dir);
    expect(p.code, p.stderr).toBe(0);
    expect(p.stdout).toContain('500 predictions written to submission.csv');
    const lines = readFileSync(join(dir, 'submission.csv'), 'utf8').trim().split('\n');
    expect(lines[0]).toBe('ImageId,Label');
    expect(lines).toHaveLength(501);
    expect(lines[1]).toMatch(/^1,\d$/);
    expect(lines[500]).toMatch(/^500,\d$/);
    const s = dlfs(['score', '--submission', 'submission.csv', '--answers', 'kaggle/test_labels.csv', '--json'], dir);
    expect(s.code, s.stderr).toBe(0);
    const score = JSON.parse(s.stdout);
    expect(score.rows).toBe(500);
    expect(score.accuracy).toBeGreaterThan(0.8);
    // The score is what counting by hand gives.
    const answers = readFileSync(join(dir, 'kaggle/test_labels.csv'), 'utf8').trim().split('\n').slice(1);
    const hits = answers.filter((line, i) => line === lines[i + 1]).length;
    expect(score.correct).toBe(hits);
  });

  it('evaluate reports accuracy and per-class accuracy on a labelled CSV', () => {
    const r = dlfs(['evaluate', '--model', 'model.json', '--data', 'kaggle/train.csv', '--json'], dir);
    expect(r.code, r.stderr).toBe(0);
    const e = JSON.parse(r.stdout);
    expect(e.rows).toBe(2000);
    expect(e.accuracy).toBeGreaterThan(0.8);
    expect(e.perClass.map((c: { class: number }) => c.class)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(e.perClass.reduce((n: number, c: { rows: number }) => n + c.rows, 0)).toBe(2000);
  });

  it('refuses a truncated or tampered model file with a clear message', () => {
    const text = readFileSync(join(dir, 'model.json'), 'utf8');
    writeFileSync(join(dir, 'truncated.json'), text.slice(0, text.length / 2));
    let r = dlfs(['predict', '--model', 'truncated.json', '--data', 'kaggle/test.csv'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/truncated\.json: is not valid JSON, so it is truncated or damaged/);
    writeFileSync(join(dir, 'tampered.json'), text.replace('"units": 50', '"units": 51'));
    r = dlfs(['predict', '--model', 'tampered.json', '--data', 'kaggle/test.csv'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/tampered\.json: fails its checksum/);
    r = dlfs(['predict', '--model', 'missing.json', '--data', 'kaggle/test.csv'], dir);
    expect(r.stderr).toMatch(/missing\.json: no such file/);
    expect(hasStackTrace(r.stderr)).toBe(false);
  });

  it('refuses data whose columns are not the ones the model was trained on', () => {
    writeFileSync(join(dir, 'narrow.csv'), 'pixel0,pixel1\n0,0\n');
    const r = dlfs(['predict', '--model', 'model.json', '--data', 'narrow.csv'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/narrow\.csv: has 2 feature columns but the model was trained on 784/);
  });
});
