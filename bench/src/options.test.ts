import { describe, expect, it } from 'vitest';
import { parseOptions, USAGE, UsageError } from './options.js';

const defaults = { out: '/tmp/latest.json', cacheDir: '/tmp/cache' };

describe('parseOptions', () => {
  it('runs every section with the defaults', () => {
    const o = parseOptions([], defaults);
    expect(o.only).toEqual(['train', 'csv', 'gradcheck', 'conv']);
    expect(o.convRounds).toBe(5);
    expect(o.convRoundMs).toBe(1000);
    expect(o.torchPython).toBe('/usr/bin/python3');
    expect(o.iters).toBeUndefined();
    expect(o.rounds).toBeGreaterThanOrEqual(3);
    expect(o.numpyThreads).toBe(1);
    expect(o.python).toBe('python3');
    expect(o.out).toBe('/tmp/latest.json');
    expect(o.baseline).toBeUndefined();
  });
  it('reads --only, --rounds, --iters and --impl lists', () => {
    const o = parseOptions(['--only', 'gradcheck,train', '--rounds', '3', '--iters', '50', '--impl', 'dlfs,numpy-f64'], defaults);
    expect(o.only).toEqual(['train', 'gradcheck']);
    expect(o.rounds).toBe(3);
    expect(o.iters).toBe(50);
    expect(o.impl).toEqual(['dlfs', 'numpy-f64']);
  });
  it('rejects an unknown section, a bad count and an unknown flag', () => {
    expect(() => parseOptions(['--only', 'speed'], defaults)).toThrow(/--only takes train, csv, gradcheck, conv/);
    expect(() => parseOptions(['--rounds', '0'], defaults)).toThrow(/--rounds must be a whole number >= 1/);
    expect(() => parseOptions(['--iters', '2.5'], defaults)).toThrow(UsageError);
    expect(() => parseOptions(['--fast'], defaults)).toThrow(UsageError);
  });
  it('selects the SimpleConvNet section with --only conv, alone or with others, and reads its flags', () => {
    expect(parseOptions(['--only', 'conv'], defaults).only).toEqual(['conv']);
    expect(parseOptions(['--only', 'conv,train'], defaults).only).toEqual(['train', 'conv']);
    expect(parseOptions(['--only', 'conv', '--only', 'csv'], defaults).only).toEqual(['csv', 'conv']);
    const o = parseOptions(
      ['--only', 'conv', '--conv-rounds', '3', '--conv-round-ms', '2000', '--torch-python', 'python3.11', '--impl', 'dlfs,torch-1t'],
      defaults,
    );
    expect([o.convRounds, o.convRoundMs, o.torchPython, o.impl]).toEqual([3, 2000, 'python3.11', ['dlfs', 'torch-1t']]);
    expect(parseOptions([], { ...defaults, torchPython: '/opt/py/bin/python3' }).torchPython).toBe('/opt/py/bin/python3');
    expect(() => parseOptions(['--conv-rounds', '0'], defaults)).toThrow(/--conv-rounds must be a whole number >= 1/);
    expect(USAGE).toMatch(/--only LIST +sections to run, comma-separated: train, csv, gradcheck, conv/);
  });
  it('reads --baseline DIR as an absolute path, relative ones from where pnpm bench was typed', () => {
    expect(parseOptions(['--baseline', '../dlfs-baseline'], { ...defaults, cwd: '/work/main' }).baseline).toBe('/work/dlfs-baseline');
    expect(parseOptions(['--baseline', '/work/baseline/'], defaults).baseline).toBe('/work/baseline');
    expect(parseOptions(['--baseline', '/b', '--impl', 'dlfs,baseline'], defaults).impl).toEqual(['dlfs', 'baseline']);
  });
  it('rejects an empty --baseline and baseline rows without one', () => {
    expect(() => parseOptions(['--baseline', ''], defaults)).toThrow(/--baseline needs a directory/);
    expect(() => parseOptions(['--impl', 'dlfs,baseline'], defaults)).toThrow(/--impl baseline selects baseline rows, which need --baseline DIR/);
    expect(() => parseOptions(['--impl', 'baseline-dlfs-js'], defaults)).toThrow(UsageError);
  });
  it('documents --baseline in the help text', () => {
    expect(USAGE).toMatch(/--baseline DIR .*\n.*pnpm install &&/);
  });
});
