import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { builtinLayers } from '@dlfs/layers';
import { builtinLosses } from '@dlfs/losses';
import { describe, expect, it } from 'vitest';
import { importedPackages, packageOrder, ROOT, sourceFiles, workspacePackages } from './workspace.js';

const order = packageOrder();
const level = new Map(order.flatMap((names, i) => names.map((n) => [n, i] as const)));
const packages = workspacePackages();
const names = new Set(packages.map((p) => p.name));

describe("ARCHITECTURE.md's package order", () => {
  it('lists every workspace package exactly once, and nothing else', () => {
    const listed = order.flat();
    expect(new Set(listed).size, 'a package is listed twice').toBe(listed.length);
    expect([...listed].sort()).toEqual([...names].sort());
  });

  it.each(packages.map((p) => [p.name, p] as const))('%s depends only on packages above it', (_name, pkg) => {
    const mine = level.get(pkg.name)!;
    const upward = pkg.dependsOn.filter((d) => level.get(d)! >= mine);
    expect(upward, `${pkg.dir}/package.json names packages at or below its own level in ARCHITECTURE.md`).toEqual([]);
  });

  it.each(packages.map((p) => [p.name, p] as const))('%s imports only workspace packages it depends on', (_name, pkg) => {
    const wrong: string[] = [];
    for (const file of sourceFiles(pkg.dir)) {
      for (const imported of importedPackages(readFileSync(join(ROOT, file), 'utf8'))) {
        if (names.has(imported) && imported !== pkg.name && !pkg.dependsOn.includes(imported)) wrong.push(`${file} imports ${imported}`);
      }
    }
    expect(wrong, 'imports of workspace packages missing from package.json (and so unchecked against the order)').toEqual([]);
  });
});

describe('capabilities, not type names', () => {
  // Code outside a layer (or a loss) asks the def's capabilities; it never compares a type
  // string, which would leave a plugin or a new built-in out.
  const typeNames = [...builtinLayers().types(), ...builtinLosses().types()];
  const comparison = new RegExp(
    `(===|!==|==|!=)\\s*['"](${typeNames.join('|')})['"]|['"](${typeNames.join('|')})['"]\\s*(===|!==|==|!=)|case\\s+['"](${typeNames.join('|')})['"]`,
  );

  it('no source outside @dlfs/layers and @dlfs/losses compares a built-in type name', () => {
    const offenders: string[] = [];
    for (const pkg of packages) {
      if (pkg.name === '@dlfs/layers' || pkg.name === '@dlfs/losses' || pkg.dir.startsWith('tests/')) continue;
      for (const file of sourceFiles(pkg.dir)) {
        if (/\.test\.ts$|test-support/.test(file)) continue;
        readFileSync(join(ROOT, file), 'utf8')
          .split('\n')
          .forEach((line, i) => {
            if (comparison.test(line)) offenders.push(`${file}:${i + 1}: ${line.trim()}`);
          });
      }
    }
    expect(offenders).toEqual([]);
  });

  it('the check finds a comparison when there is one', () => {
    expect(comparison.test("if (l.type === 'relu') dead++;")).toBe(true);
    expect(comparison.test("const relu = { type: 'relu' };")).toBe(false);
  });
});

describe('line length', () => {
  // Biome wraps code at 160 characters but leaves long string literals and comments alone.
  it('no source line is longer than 160 characters (the generated WASM module aside)', () => {
    const long: string[] = [];
    for (const pkg of packages) {
      for (const file of sourceFiles(pkg.dir)) {
        if (file.endsWith('kernels-wasm.ts')) continue;
        readFileSync(join(ROOT, file), 'utf8')
          .split('\n')
          .forEach((line, i) => {
            if (line.length > 160) long.push(`${file}:${i + 1} (${line.length} characters)`);
          });
      }
    }
    expect(long).toEqual([]);
  });
});
