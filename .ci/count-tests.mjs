// Sums vitest's JSON reports of every workspace package into the line CI reads:
// "N passed, N failed". A failing `pnpm test` (a type error, a crashed runner) never
// reads as green: it counts as one failure when no test itself failed, and the exit code stays non-zero.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const status = Number(process.argv[2] ?? 0);
let passed = 0;
let failed = 0;
let skipped = 0;
// Packages live in these groups' subfolders; bench/ is a package itself.
const dirs = ['packages', 'apps', 'tests'].flatMap((group) => (existsSync(group) ? readdirSync(group).map((name) => join(group, name)) : []));
dirs.push('bench');
for (const dir of dirs) {
  if (!existsSync(join(dir, 'package.json'))) continue;
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  if (!pkg.scripts?.test) continue;
  const report = join(dir, '.test-results', 'vitest.json');
  if (!existsSync(report)) {
    console.log(`${pkg.name}: no test report (its tests did not run to the end)`);
    failed += 1;
    continue;
  }
  const r = JSON.parse(readFileSync(report, 'utf8'));
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  skipped += r.numPendingTests + (r.numTodoTests ?? 0);
  console.log(`${pkg.name}: ${r.numPassedTests} passed, ${r.numFailedTests} failed`);
}
if (status !== 0 && failed === 0) failed = 1;
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(status !== 0 || failed > 0 ? 1 : 0);
