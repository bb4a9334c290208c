import { checkOutputFile, checkOutputFolder } from '../output-paths.js';
import { resampleKaggleTrain, writeKaggleCsv } from '@dlfs/datasets/node';

export interface SampleFlags {
  out: string;
  trainRows: number;
  testRows: number;
  resample?: number;
  seed: number;
  json: boolean;
}

/** Writes the bundled MNIST sample as Kaggle digit-recognizer CSVs (or a resampled Kaggle-size train.csv). */
export async function sampleCommand(flags: SampleFlags): Promise<number> {
  // Checked before anything is written: a file where the folder should be, or a folder below a file.
  if (flags.resample !== undefined) checkOutputFile('--out', flags.out);
  else checkOutputFolder('--out', flags.out);
  if (flags.resample !== undefined) {
    const r = await resampleKaggleTrain(flags.out, flags.resample, { seed: flags.seed });
    if (flags.json) process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
    else process.stdout.write(`wrote ${r.rows} rows (${(r.bytes / 1e6).toFixed(1)} MB) to ${r.path}\n`);
    return 0;
  }
  const files = await writeKaggleCsv(flags.out, { trainRows: flags.trainRows, testRows: flags.testRows, seed: flags.seed });
  if (flags.json) process.stdout.write(`${JSON.stringify(files, null, 2)}\n`);
  else
    process.stdout.write(
      `wrote ${Object.values(files)
        .filter((v) => typeof v === 'string')
        .join(', ')}\n`,
    );
  return 0;
}
