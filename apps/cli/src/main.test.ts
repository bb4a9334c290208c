import { beforeAll, describe, expect, it } from 'vitest';
import { dlfs, hasStackTrace, tempDir } from './test-support/run-dlfs.js';

let cwd: string;
beforeAll(() => {
  cwd = tempDir();
});

describe('dlfs', () => {
  it('--help lists every command', () => {
    const r = dlfs(['--help'], cwd);
    expect(r.code).toBe(0);
    for (const command of ['train', 'predict', 'evaluate', 'gradcheck', 'layers', 'sample', 'score']) expect(r.stdout).toContain(command);
  });

  it.each(['train', 'predict', 'evaluate', 'gradcheck', 'layers', 'sample', 'score'])('%s --help describes its flags', (command) => {
    const r = dlfs([command, '--help'], cwd);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Usage: dlfs/);
    expect(r.stdout).toContain('--');
  });

  it('train --help shows the flags scripts rely on', () => {
    const r = dlfs(['train', '--help'], cwd);
    for (const flag of [
      '--data',
      '--label',
      '--spec',
      '--optimizer',
      '--lr',
      '--batch',
      '--epochs',
      '--iters',
      '--val',
      '--scale',
      '--seed',
      '--out',
      '--metrics',
      '--json',
      '--plugin',
    ]) {
      expect(r.stdout).toContain(flag);
    }
  });

  it.each([
    [['train', '--lr', 'fast'], /--lr must be a number > 0, got "fast"/],
    [['train', '--batch', '0'], /--batch must be a whole number >= 1/],
    [['train', '--val', '1.5'], /--val must be a fraction in \[0, 1\)/],
    [['train', '--scale', 'zscore'], /--scale must be one of minmax, 255, none/],
    [['train', '--epochs', '2', '--iters', '10'], /--epochs or --iters, not both/],
    [['train', '--optimizer', 'adamw', '--iters', '1'], /unknown optimizer.*adamw.*adam/i],
    [['train', '--bogus'], /unknown option '--bogus'/],
    [['predict', '--data', 'x.csv'], /required option '--model <file>'/],
    [['frobnicate'], /unknown command 'frobnicate'/],
  ])('refuses %j with a clear message and a non-zero exit', (args, message) => {
    const r = dlfs(args, cwd);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(message);
    expect(hasStackTrace(r.stderr)).toBe(false);
  });
});
