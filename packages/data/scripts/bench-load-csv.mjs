// Load-speed and peak-memory benchmark for loadCsv on a Kaggle-sized train.csv.
//
//   pnpm build && node scripts/bench-load-csv.mjs [rows=42000] [runs=3]
//
// Writes an MNIST-like file (label,pixel0..pixel783; about 81% zeros, the rest 1..255, as in
// MNIST) to a temporary directory, then loads it `runs` times, each in a fresh Node process so
// that its peak RSS (getrusage maxrss) is the load's alone. The file is deleted afterwards.
import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

if (process.argv[2] === '--load') {
  const { loadCsv } = await import('../dist/index.js');
  const t0 = performance.now();
  const d = await loadCsv(process.argv[3]);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage();
  console.log(
    JSON.stringify({ rows: d.rows, features: d.x.shape[1], seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, peakRssMB: process.resourceUsage().maxRSS / 1024 }),
  );
  process.exit(0);
}

const rows = Number(process.argv[2] ?? 42000);
const runs = Number(process.argv[3] ?? 3);
const dir = mkdtempSync(join(tmpdir(), 'dlfs-bench-'));
const file = join(dir, 'train.csv');
try {
  await writeMnistLike(file, rows);
  const mb = statSync(file).size / 2 ** 20;
  console.log(`${file}: ${rows} rows × 785 columns, ${mb.toFixed(1)} MiB`);
  for (let run = 1; run <= runs; run++) {
    const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--load', file], { encoding: 'utf8' });
    const r = JSON.parse(out);
    console.log(
      `run ${run}: ${r.seconds.toFixed(2)} s (${Math.round(r.rows / r.seconds)} rows/s, ${(mb / r.seconds).toFixed(1)} MiB/s), ` +
        `cpu ${r.cpuSeconds.toFixed(2)} s, peak RSS ${r.peakRssMB.toFixed(0)} MB`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
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
