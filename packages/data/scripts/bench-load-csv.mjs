// Load-speed and peak-memory benchmark for loadCsv on a Kaggle-sized train.csv: the fast byte
// parser, the csv-parse path, and numpy.loadtxt, on the same file.
//
//   pnpm build && node scripts/bench-load-csv.mjs [rows=42000] [runs=5]
//
// Writes an MNIST-like file (label,pixel0..pixel783; about 81% zeros, the rest 1..255, as in
// MNIST) to a temporary directory, then loads it `runs` times with each contender, interleaved
// (the order rotates every run, so that neither warm caches nor a busy moment favour one). Each
// load runs in a fresh process, whose peak RSS (getrusage maxrss) is then the load's alone plus
// the runtime's own. Reports the median time and peak RSS per contender, checks that all three
// read the same numbers (sums of the features and of the labels), and deletes the file.
import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

if (process.argv[2] === '--load') {
  const [parser, file] = process.argv.slice(3);
  const { loadCsv } = await import('../dist/node.js');
  const rssBefore = process.memoryUsage().rss;
  const t0 = performance.now();
  const d = await loadCsv(file, { parser });
  const seconds = (performance.now() - t0) / 1000;
  let featureSum = 0;
  for (const v of d.x.data) featureSum += v;
  let labelSum = 0;
  for (const i of d.labels) labelSum += d.classes[i];
  console.log(
    JSON.stringify({
      rows: d.rows,
      features: d.x.shape[1],
      seconds,
      peakRssMB: process.resourceUsage().maxRSS / 1024,
      startRssMB: rssBefore / 2 ** 20,
      featureSum,
      labelSum,
    }),
  );
  process.exit(0);
}

// numpy.loadtxt as the issue measures it, with the same report. The label is column 0 of its matrix.
const NUMPY = `
import json, resource, sys, time
import numpy
start_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
t = time.time()
x = numpy.loadtxt(sys.argv[1], delimiter=',', skiprows=1, dtype=numpy.float32)
seconds = time.time() - t
print(json.dumps({'rows': x.shape[0], 'features': x.shape[1] - 1, 'seconds': seconds,
  'peakRssMB': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 'startRssMB': start_rss,
  'featureSum': float(x[:, 1:].sum(dtype=numpy.float64)), 'labelSum': float(x[:, 0].sum(dtype=numpy.float64))}))
`;

const rows = Number(process.argv[2] ?? 42000);
const runs = Number(process.argv[3] ?? 5);
const self = fileURLToPath(import.meta.url);
const dir = mkdtempSync(join(tmpdir(), 'dlfs-bench-'));
const file = join(dir, 'train.csv');

const contenders = [
  { name: 'loadCsv, fast parser', run: () => execFileSync(process.execPath, [self, '--load', 'fast', file], { encoding: 'utf8' }) },
  { name: 'loadCsv, csv-parse', run: () => execFileSync(process.execPath, [self, '--load', 'csv-parse', file], { encoding: 'utf8' }) },
  {
    name: 'numpy.loadtxt',
    run: () => {
      // OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE slow a current numpy down; loadtxt hardly needs
      // BLAS, but the comparison is against numpy as it runs by default.
      const env = { ...process.env };
      delete env.OPENBLAS_CORETYPE;
      delete env.OPENBLAS_L2_SIZE;
      return execFileSync('python3', ['-c', NUMPY, file], { encoding: 'utf8', env });
    },
  },
];

try {
  await writeMnistLike(file, rows);
  const mb = statSync(file).size / 2 ** 20;
  console.log(`${file}: ${rows} rows × 785 columns, ${mb.toFixed(1)} MiB; ${runs} interleaved runs each, in fresh processes\n`);
  const results = new Map(contenders.map((c) => [c.name, []]));
  for (let run = 0; run < runs; run++) {
    for (let k = 0; k < contenders.length; k++) {
      const c = contenders[(run + k) % contenders.length];
      let r;
      try {
        r = JSON.parse(c.run());
      } catch (err) {
        console.log(`${c.name}: failed (${String(err.message ?? err).split('\n')[0]}); left out`);
        contenders.splice(contenders.indexOf(c), 1);
        results.delete(c.name);
        k--;
        continue;
      }
      results.get(c.name).push(r);
      console.log(`run ${run + 1} ${c.name.padEnd(22)} ${r.seconds.toFixed(3)} s, peak RSS ${r.peakRssMB.toFixed(0)} MB`);
    }
  }

  const all = [...results.values()].flat();
  const same = all.every((r) => r.rows === rows && r.features === 784 && r.featureSum === all[0].featureSum && r.labelSum === all[0].labelSum);
  console.log(`\nall loads read the same numbers (rows, feature sum, label sum): ${same ? 'yes' : 'NO'}\n`);

  const numpy = results.get('numpy.loadtxt');
  const numpySeconds = numpy ? median(numpy.map((r) => r.seconds)) : undefined;
  console.log('| contender | median s | min–max s | MiB/s | peak RSS MB (median) | RSS before load MB | vs numpy.loadtxt |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const [name, rs] of results) {
    const s = rs.map((r) => r.seconds);
    const t = median(s);
    const ratio = numpySeconds === undefined ? '–' : `${(t / numpySeconds).toFixed(2)}×`;
    console.log(
      `| ${name} | ${t.toFixed(2)} | ${Math.min(...s).toFixed(2)}–${Math.max(...s).toFixed(2)} | ${(mb / t).toFixed(0)} | ` +
        `${median(rs.map((r) => r.peakRssMB)).toFixed(0)} | ${median(rs.map((r) => r.startRssMB)).toFixed(0)} | ${ratio} |`,
    );
  }
  const fast = results.get('loadCsv, fast parser');
  if (fast && numpySeconds !== undefined) {
    const t = median(fast.map((r) => r.seconds));
    const rss = median(fast.map((r) => r.peakRssMB));
    const ok = t <= numpySeconds / 2 && rss <= 600;
    console.log(`\ntarget (fast parser at most half numpy.loadtxt's time, peak RSS at most 600 MB): ${ok ? 'met' : 'NOT met'}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function writeMnistLike(path, n) {
  // mulberry32: a small seeded generator, so every run writes the same file.
  let s = 42;
  const random = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = createWriteStream(path);
  const write = (text) => (out.write(text) ? undefined : new Promise((resolve) => out.once('drain', resolve)));
  await write(`label,${Array.from({ length: 784 }, (_, i) => `pixel${i}`).join(',')}\n`);
  for (let r = 0; r < n; r++) {
    const fields = [String(Math.floor(random() * 10))];
    for (let j = 0; j < 784; j++) fields.push(random() < 0.81 ? '0' : String(1 + Math.floor(random() * 255)));
    await write(`${fields.join(',')}\n`);
  }
  await new Promise((resolve, reject) => out.end((err) => (err ? reject(err) : resolve())));
}
