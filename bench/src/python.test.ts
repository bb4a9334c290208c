import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { numpyEnv, probeTorch, TORCH_INSTALL } from './python.js';

describe('numpyEnv', () => {
  it('unsets OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE together and says what they were', () => {
    const base = { PATH: '/bin', OPENBLAS_CORETYPE: 'Haswell' };
    const { env, unset } = numpyEnv(base);
    expect(env.OPENBLAS_CORETYPE).toBeUndefined();
    expect(env.OPENBLAS_L2_SIZE).toBeUndefined();
    expect(env.PATH).toBe('/bin');
    expect(unset).toEqual({ OPENBLAS_CORETYPE: 'Haswell' });
    expect(base.OPENBLAS_CORETYPE).toBe('Haswell');
  });
  it('leaves an environment without them alone, and fixes the BLAS threads when asked', () => {
    expect(numpyEnv({ PATH: '/bin' })).toEqual({ env: { PATH: '/bin' }, unset: {} });
    const { env } = numpyEnv({ OPENBLAS_L2_SIZE: '1048576' }, 1);
    expect(env).toEqual({ OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' });
  });
});

describe('probeTorch', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dlfs-bench-torch-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  /** A stand-in interpreter: a shell script that prints `out` and `err` and exits with `code`. */
  function fake(name: string, code: number, out: string, err: string): string {
    const path = join(dir, name);
    writeFileSync(path, `#!/bin/sh\ncat <<'OUT'\n${out}\nOUT\ncat >&2 <<'ERR'\n${err}\nERR\nexit ${code}\n`);
    chmodSync(path, 0o755);
    return path;
  }

  it("reads torch's version", () => {
    expect(probeTorch(fake('ok', 0, '2.1.0', ''))).toEqual({ ok: true, python: join(dir, 'ok'), torch: '2.1.0' });
  });
  it('says what to install when torch cannot be imported or the interpreter cannot be run', () => {
    const missing = probeTorch(fake('missing', 1, '', "ModuleNotFoundError: No module named 'torch'"));
    expect(missing.ok).toBe(false);
    if (missing.ok) return;
    expect(missing.reason).toContain("cannot import torch (ModuleNotFoundError: No module named 'torch')");
    expect(missing.reason).toContain(TORCH_INSTALL);
    expect(TORCH_INSTALL).toBe('apt-get install -y python3-torch libopenblas0-pthread');
    const absent = probeTorch(join(dir, 'no-such-python'));
    expect(!absent.ok && absent.reason).toMatch(/could not be run \(ENOENT\); install it with `apt-get install -y python3-torch/);
  });
});
