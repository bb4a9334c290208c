#!/usr/bin/env node
// Writes this package's version (package.json's) into src/version.ts, the constant every exported
// model carries as its producer_version (the package runs in browsers, where it cannot read its
// package.json). `pnpm version-packages` runs it after `changeset version` bumps the version; a
// unit test fails while the two differ. `--check` only reports whether they differ.
import { readFileSync, writeFileSync } from 'node:fs';

const root = new URL('../', import.meta.url);
const { version } = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));
if (typeof version !== 'string' || !/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(version)) {
  console.error(`sync-version: package.json has no semver version (got ${JSON.stringify(version)})`);
  process.exit(1);
}
const file = new URL('src/version.ts', root);
const text =
  "/** The version of @dlfs/onnx, written into every model as its producer_version; scripts/sync-version.mjs writes it from package.json's. */\n" +
  `export const DLFS_ONNX_VERSION = '${version}';\n`;
const current = readFileSync(file, 'utf8');
if (current === text) {
  console.log(`sync-version: src/version.ts already says ${version}`);
} else if (process.argv.includes('--check')) {
  console.error(`sync-version: src/version.ts differs from package.json's version ${version}; run node scripts/sync-version.mjs`);
  process.exit(1);
} else {
  writeFileSync(file, text);
  console.log(`sync-version: src/version.ts now says ${version}`);
}
