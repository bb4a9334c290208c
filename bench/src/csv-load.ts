// `node dist/csv-load.js FILE`: loads a labelled CSV with dlfs's loadCsv in a fresh process
// and prints the load time and the process's peak RSS (the harness compares both with NumPy).
import { loadCsv } from '@dlfs/data/node';
import { reply } from './protocol.js';

const file = process.argv[2];
if (file === undefined) {
  process.stderr.write('usage: node csv-load.js FILE\n');
  process.exit(2);
}
const started = performance.now();
const data = await loadCsv(file);
const seconds = (performance.now() - started) / 1000;
// resourceUsage().maxRSS is in KiB, like getrusage's ru_maxrss on Linux.
reply({ seconds, rows: data.rows, cols: data.x.shape[1], maxRssKiB: process.resourceUsage().maxRSS });
