import { backendInfo, stopThreads } from '@dlfs/tensor';
import { afterEach, describe, expect, it } from 'vitest';
import { startCliThreads } from './threads.js';

afterEach(() => stopThreads());

describe('startCliThreads', () => {
  it('runs at most one thread per core, and says so', async () => {
    expect(await startCliThreads(4, 2)).toEqual({
      threads: 2,
      note: '--threads 4: running on 2 threads, one per core of this machine (more would only slow it down)',
    });
    expect(backendInfo().threads.count).toBe(2);
  });

  it('starts what was asked for when the machine has the cores, with no note', async () => {
    expect(await startCliThreads(2, 8)).toEqual({ threads: 2 });
    expect(await startCliThreads(1, 8)).toEqual({ threads: 1 });
    expect(backendInfo().threads.count).toBe(1);
  });
});
