import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** python/worker.py, beside src/ and dist/. */
export const PYTHON_WORKER = fileURLToPath(new URL('../python/worker.py', import.meta.url));
/** python/torch_worker.py: the SimpleConvNet section's PyTorch rows. */
export const TORCH_WORKER = fileURLToPath(new URL('../python/torch_worker.py', import.meta.url));

/** What to install when PyTorch is missing (Debian's packages; without OpenBLAS, torch's matmuls run on the reference BLAS, 2–5× slower). */
export const TORCH_INSTALL = 'apt-get install -y python3-torch libopenblas0-pthread';

export type NumpyProbe = { ok: true; python: string; numpy: string } | { ok: false; python: string; reason: string };

/** Whether `python` runs and imports numpy. */
export function probeNumpy(python: string): NumpyProbe {
  const r = spawnSync(python, ['-c', 'import numpy; print(numpy.__version__)'], { encoding: 'utf8', timeout: 60_000 });
  if (r.error) return { ok: false, python, reason: `${python} could not be run (${(r.error as NodeJS.ErrnoException).code ?? r.error.message})` };
  if (r.status !== 0) {
    const why = r.stderr.trim().split('\n').at(-1) ?? `exit code ${r.status}`;
    return { ok: false, python, reason: `${python} cannot import numpy (${why})` };
  }
  return { ok: true, python, numpy: r.stdout.trim() };
}

export type TorchProbe = { ok: true; python: string; torch: string } | { ok: false; python: string; reason: string };

/** Whether `python` runs and imports torch; when not, the reason says what to install. */
export function probeTorch(python: string): TorchProbe {
  const r = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8', timeout: 120_000 });
  const install = `install it with \`${TORCH_INSTALL}\` (or give --torch-python)`;
  if (r.error) return { ok: false, python, reason: `${python} could not be run (${(r.error as NodeJS.ErrnoException).code ?? r.error.message}); ${install}` };
  if (r.status !== 0) {
    const why = r.stderr.trim().split('\n').at(-1) ?? `exit code ${r.status}`;
    return { ok: false, python, reason: `${python} cannot import torch (${why}); ${install}` };
  }
  return { ok: true, python, torch: r.stdout.trim() };
}

const OPENBLAS_VARS = ['OPENBLAS_CORETYPE', 'OPENBLAS_L2_SIZE'] as const;
const THREAD_VARS = ['OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS'] as const;

/**
 * The environment of the NumPy children: the parent's, without OPENBLAS_CORETYPE and
 * OPENBLAS_L2_SIZE. Some machines set them (older OpenBLAS builds need them on some processors)
 * and they slow a current NumPy; they are unset together, in these children only, and the
 * kernel OpenBLAS then picks is recorded by the worker's `info`.
 *
 * With `threads`, the BLAS thread count is fixed too (OPENBLAS_NUM_THREADS, OMP_NUM_THREADS,
 * MKL_NUM_THREADS); without, it is whatever the environment gives (OpenBLAS: one per core).
 */
export function numpyEnv(base: NodeJS.ProcessEnv = process.env, threads?: number): { env: NodeJS.ProcessEnv; unset: Record<string, string> } {
  const env = { ...base };
  if (threads !== undefined) for (const k of THREAD_VARS) env[k] = String(threads);
  const unset: Record<string, string> = {};
  if (OPENBLAS_VARS.some((k) => base[k] !== undefined)) {
    for (const k of OPENBLAS_VARS) {
      if (base[k] !== undefined) unset[k] = base[k]!;
      delete env[k];
    }
  }
  return { env, unset };
}
