import { fileURLToPath } from 'node:url';
import type { Options } from './options.js';
import type { NumpyProbe } from './python.js';

/** What every section of the run shares. */
export interface BenchContext {
  opts: Options;
  /** The data file every implementation reads (bench-data.ts). */
  dataPath: string;
  /** Digits in the data file. */
  dataRows: number;
  numpy: NumpyProbe;
  /** Environment of the NumPy children (see numpyEnv), with `--numpy-threads` BLAS threads. */
  numpyEnv: NodeJS.ProcessEnv;
  /** The same with the BLAS library's own thread count. */
  numpyEnvDefaultThreads: NodeJS.ProcessEnv;
  /** Progress, to stderr. */
  log(line: string): void;
  notes: string[];
}

/** The compiled Node entry points, beside this file in dist/. */
export const NODE_WORKER = fileURLToPath(new URL('./worker.js', import.meta.url));
export const CSV_LOADER = fileURLToPath(new URL('./csv-load.js', import.meta.url));

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
