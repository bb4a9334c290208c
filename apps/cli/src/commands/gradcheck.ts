import { createScaler, gatherLabels, gatherRows, type ScalerType } from '@dlfs/data';
import { checkGradients } from '@dlfs/gradcheck';
import { defaultSpec, Network } from '@dlfs/model';
import { Rng } from '@dlfs/tensor';
import { UsageError } from '../errors.js';
import { loadRegistry } from '../plugins.js';
import { readSpecFile } from '../spec-file.js';
import { BUNDLED, loadTrainingRows } from '../training-data.js';

export interface GradcheckFlags {
  spec?: string;
  data?: string;
  label: string;
  samples: number;
  scale: ScalerType;
  seed: number;
  mode: 'train' | 'eval';
  json: boolean;
  plugin: string[];
}

/**
 * 5.7.3: the network's backprop gradient against the numerical one on a few samples, in float64.
 * Loss and gradients are taken in the same pass (a training pass unless --mode eval), replayed
 * exactly for every probe: the same random stream, state frozen. Every parameter's mean
 * |difference| and largest relative error are printed; entries whose finite step crossed a ReLU
 * kink are counted and left out of the verdict.
 */
export async function gradcheckCommand(flags: GradcheckFlags): Promise<number> {
  const registry = await loadRegistry(flags.plugin);
  const spec = flags.spec === undefined ? undefined : readSpecFile(flags.spec);
  const rows = await loadTrainingRows(flags.data, flags.label);
  for (const w of rows.warnings) process.stderr.write(`warning: ${w}\n`);
  const total = rows.x.shape[0]!;
  if (flags.samples > total) throw new UsageError(`--samples ${flags.samples} is more than the ${total} rows of ${flags.data ?? BUNDLED}`);
  const pick = new Int32Array(flags.samples).map((_, i) => i);
  const scaler = createScaler(flags.scale);
  scaler.fit(rows.x);
  const x = gatherRows(rows.x, pick);
  scaler.transform(x, x);
  const t = gatherLabels(rows.labels, pick);
  const network = Network.build(spec ?? defaultSpec(rows.classes.length), {
    registry,
    inputShape: [rows.x.shape[1]!],
    rng: new Rng(flags.seed),
    dtype: 'float64',
    classes: rows.classes.length,
    source: flags.spec ?? 'the default spec',
  });
  const x64 = x.astype('float64');
  const started = performance.now();
  const report = checkGradients(network.gradientCheckTarget(x64, t, { train: flags.mode === 'train', seed: flags.seed }));
  const seconds = (performance.now() - started) / 1000;
  if (flags.json) {
    const params = report.params.map((p) => ({
      name: p.name,
      shape: p.shape,
      meanAbsDiff: p.meanAbsDiff,
      maxRelError: p.maxRelErrorSmooth,
      maxRelErrorWithKinks: p.maxRelError,
      kinks: p.kinks,
      ok: p.ok,
    }));
    process.stdout.write(
      `${JSON.stringify({ ok: report.ok, samples: flags.samples, mode: flags.mode, seconds, tolerance: report.tolerance, params }, null, 2)}\n`,
    );
  } else {
    process.stdout.write(
      `gradient check on ${flags.samples} sample${flags.samples === 1 ? '' : 's'} of ${flags.data ?? BUNDLED}, ` +
        `${flags.mode === 'train' ? 'training' : 'evaluation'} pass (${seconds.toFixed(1)} s)\n`,
    );
    process.stdout.write(`${report.summary}\n`);
    process.stdout.write(
      report.ok
        ? `ok: backprop agrees with the numerical gradient (relative error <= ${report.tolerance} off the kinks)\n`
        : 'FAILED: backprop and the numerical gradient disagree\n',
    );
  }
  return report.ok ? 0 : 1;
}
