import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface WorkspacePackage {
  name: string;
  /** Folder, relative to the root: "packages/tensor". */
  dir: string;
  /** Every workspace package it names in dependencies, devDependencies or peerDependencies. */
  dependsOn: string[];
}

/** The workspace's packages, as pnpm-workspace.yaml groups them. */
export function workspacePackages(): WorkspacePackage[] {
  const dirs = ['packages', 'apps', 'tests'].flatMap((group) => readdirSync(join(ROOT, group)).map((name) => join(group, name)));
  dirs.push('bench');
  const pkgs = dirs
    .filter((dir) => existsSync(join(ROOT, dir, 'package.json')))
    .map((dir) => ({ dir, json: JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8')) as Record<string, unknown> }));
  const names = new Set(pkgs.map((p) => p.json.name as string));
  return pkgs.map(({ dir, json }) => {
    const deps = ['dependencies', 'devDependencies', 'peerDependencies'].flatMap((k) => Object.keys((json[k] as Record<string, string> | undefined) ?? {}));
    return { name: json.name as string, dir, dependsOn: [...new Set(deps.filter((d) => names.has(d)))] };
  });
}

/**
 * The package order of ARCHITECTURE.md: the numbered list between its package-order markers,
 * one level per line (a line may name several packages of one level), bottom first.
 */
export function packageOrder(): string[][] {
  const text = readFileSync(join(ROOT, 'ARCHITECTURE.md'), 'utf8');
  const start = text.indexOf('<!-- package-order: start -->');
  const end = text.indexOf('<!-- package-order: end -->');
  if (start < 0 || end < start) throw new Error('ARCHITECTURE.md has no <!-- package-order: start --> ... <!-- package-order: end --> list');
  return text
    .slice(start, end)
    .split('\n')
    .filter((line) => /^\d+\. /.test(line))
    .map((line) => {
      const head = line.split(':')[0]!;
      return [...head.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
    });
}

/** Every .ts file under `dir`/src (and the bench's), skipping build output and dependencies. */
export function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (path: string): void => {
    for (const name of readdirSync(path)) {
      if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
      const full = join(path, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (/\.(ts|mts|mjs)$/.test(name) && !name.endsWith('.d.ts')) out.push(relative(ROOT, full));
    }
  };
  for (const sub of ['src', 'scripts']) if (existsSync(join(ROOT, dir, sub))) walk(join(ROOT, dir, sub));
  return out;
}

/** The package names a source file imports (static and dynamic): "@dlfs/tensor" for "@dlfs/tensor/x". */
export function importedPackages(text: string): string[] {
  const specs = [...text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"]([^'"]+)['"]/g)].map((m) => m[1]!);
  return specs
    .filter((s) => !s.startsWith('.') && !s.startsWith('node:'))
    .map((s) => (s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]!));
}
