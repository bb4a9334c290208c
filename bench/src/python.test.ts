import { describe, expect, it } from 'vitest';
import { numpyEnv } from './python.js';

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
