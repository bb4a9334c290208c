import { type BenchContext, errorText, NODE_WORKER } from '../context.js';
import type { GradcheckTiming } from '../impl/dlfs.js';
import { WorkerProcess } from '../protocol.js';
import { PYTHON_WORKER } from '../python.js';
import type { GradcheckImplResult, GradcheckSection } from '../results.js';
import { summarize } from '../stats.js';

/**
 * 5.7.3's gradient check of the 784-50-10 network on the first 3 digits, from the same float64
 * weights: dlfs's checkGradients (as `dlfs gradcheck` runs it) against the book's
 * gradient_check.py in NumPy (numerical_gradient over every parameter, h = 1e-4). One process
 * per implementation, runs interleaved.
 */
export async function benchGradcheck(ctx: BenchContext): Promise<GradcheckSection> {
  const { opts, log } = ctx;
  const samples = opts.gradcheckSamples;
  const impls: { result: GradcheckImplResult; worker?: WorkerProcess; start(): WorkerProcess }[] = [
    {
      result: { id: 'dlfs', label: 'dlfs checkGradients (float64)', status: 'ok', seconds: [] },
      start: () => new WorkerProcess('dlfs gradcheck', process.execPath, [NODE_WORKER]),
    },
    {
      result: {
        id: 'numpy',
        label: "NumPy, the book's gradient_check (float64)",
        status: ctx.numpy.ok ? 'ok' : 'skipped',
        seconds: [],
        ...(ctx.numpy.ok ? {} : { note: ctx.numpy.reason }),
      },
      start: () => new WorkerProcess('NumPy gradcheck', opts.python, [PYTHON_WORKER], ctx.numpyEnv),
    },
  ];
  for (let round = 0; round < opts.gradcheckRounds; round++) {
    for (const impl of round % 2 === 0 ? impls : [...impls].reverse()) {
      if (impl.result.status !== 'ok') continue;
      try {
        impl.worker ??= impl.start();
        const r = await impl.worker.request<GradcheckTiming>({ cmd: 'gradcheck', data: ctx.dataPath, samples });
        impl.result.seconds.push(r.seconds);
        impl.result.meanAbsDiff = Object.fromEntries(r.params.map((p) => [p.name, p.meanAbsDiff]));
        if (r.ok !== undefined) impl.result.ok = r.ok;
        log(`gradcheck: ${impl.result.id} ${r.seconds.toFixed(2)} s`);
      } catch (err) {
        impl.result.status = 'error';
        impl.result.note = errorText(err);
      }
    }
  }
  await Promise.all(impls.map((i) => i.worker?.close()));
  for (const i of impls) if (i.result.status === 'ok' && i.result.seconds.length > 0) i.result.summary = summarize(i.result.seconds);
  return { samples, network: '784-50-10, weight std 0.01, float64', implementations: impls.map((i) => i.result) };
}
