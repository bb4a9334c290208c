import { KernelThreadsError, ShapeError } from '@dlfs/tensor';
import { describe, expect, it } from 'vitest';
import { reportFailure } from './main.js';

/** What reportFailure prints for `err` from `dlfs train`, and its exit code. */
function report(err: unknown): { code: number; text: string } {
  let text = '';
  const code = reportFailure(['node', 'dlfs', 'train'], err, (t) => {
    text += t;
  });
  return { code, text };
}

describe('reportFailure', () => {
  it('tells kernel threads that stopped apart from a bug, with what to do', () => {
    const err = new KernelThreadsError('conv2d: 1 of its 8 parts did not finish within 60 s; a kernel thread has stopped (killed, or out of memory?)');
    expect(report(err)).toEqual({
      code: 1,
      text:
        'dlfs train: error: the kernel threads failed: conv2d: 1 of its 8 parts did not finish within 60 s; a kernel thread has stopped ' +
        '(killed, or out of memory?)\n(run the command again, or with --threads 1 to use no kernel threads)\n',
    });
  });

  it("prints the user's input errors as one message, and anything else as a bug in dlfs", () => {
    expect(report(new ShapeError('matmul', [[2, 3]], 'x does not fit'))).toMatchObject({ code: 1, text: expect.stringMatching(/^dlfs train: error: /) });
    const bug = report(new Error('boom'));
    expect(bug.code).toBe(70);
    expect(bug.text).toBe('dlfs train: unexpected error: boom\n(this is a bug in dlfs; run with DLFS_DEBUG=1 to see where it happened)\n');
  });
});
