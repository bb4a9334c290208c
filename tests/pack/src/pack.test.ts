import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');
const libraries = readdirSync(join(root, 'packages'))
  .map((dir) => join(root, 'packages', dir))
  .filter((dir) => existsSync(join(dir, 'package.json')))
  .map((dir) => ({ dir, pkg: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string; private?: boolean; dependencies?: Record<string, string> } }))
  .filter(({ pkg }) => !pkg.private);

// One line per package that imports it and calls something, so an import that resolves to nothing fails.
const smoke: Record<string, { js: string; ts: string }> = {
  '@dlfs/tensor': {
    js: "const c = m.matmul(m.tensor([[1, 2]]), m.tensor([[3], [4]])); if (c.data[0] !== 11) throw new Error('tensor');",
    ts: "const t: m.Tensor = m.matmul(m.tensor([[1, 2]]), m.tensor([[3], [4]])); const d: m.DType = t.dtype; void d;",
  },
  '@dlfs/layers': {
    js: "const r = m.builtinLayers(); if (!r.has('affine') || !r.has('relu')) throw new Error('layers');",
    ts: 'const r: m.LayerRegistry = m.builtinLayers(); const types: string[] = r.types(); void types;',
  },
  '@dlfs/losses': {
    js: "const l = new m.SoftmaxWithLoss(); const v = l.forward(t.tensor([[0, 0]]), [1]); if (Math.abs(v - Math.log(2)) > 1e-6) throw new Error('losses');",
    ts: 'const l: m.SoftmaxWithLoss = new m.SoftmaxWithLoss(); void l;',
  },
  '@dlfs/gradcheck': {
    js: "const g = m.numericalGradient((x) => x.data[0] ** 2, t.tensor([3])); if (Math.abs(g.data[0] - 6) > 1e-6) throw new Error('gradcheck');",
    ts: 'const f: typeof m.checkLayer = m.checkLayer; void f;',
  },
};

let work: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'dlfs-pack-'));
  const tarballs = join(work, 'tarballs');
  mkdirSync(tarballs);
  for (const { dir } of libraries) execFileSync('pnpm', ['pack', '--pack-destination', tarballs], { cwd: dir, stdio: 'pipe' });
  const app = join(work, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'fresh-app', private: true, type: 'module' }));
  // All tarballs in one install: their dependencies on each other resolve to one another; only
  // third-party dependencies (none for most packages) come from the registry or npm's cache.
  const files = readdirSync(tarballs).map((f) => join(tarballs, f));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--prefer-offline', ...files], { cwd: app, stdio: 'pipe' });
}, 180_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('every library package installs from its tarball outside the workspace', () => {
  it('knows how to smoke-test every library package', () => {
    expect(libraries.map(({ pkg }) => pkg.name).sort()).toEqual(Object.keys(smoke).sort());
  });

  for (const { pkg } of libraries) {
    it(`${pkg.name} imports and runs in a fresh npm project`, () => {
      const app = join(work, 'app');
      const file = join(app, `${pkg.name.replace('/', '-')}.mjs`);
      writeFileSync(file, `import * as m from '${pkg.name}';\nimport * as t from '@dlfs/tensor';\n${smoke[pkg.name]!.js}\nconsole.log('ok');\n`);
      expect(execFileSync('node', [file], { cwd: app, encoding: 'utf8' }).trim()).toBe('ok');
      // Only dist/ and the manifest ship: no sources, no tests.
      const installed = join(app, 'node_modules', pkg.name);
      expect(readdirSync(installed).sort()).toEqual(expect.arrayContaining(['dist', 'package.json']));
      expect(readdirSync(join(installed, 'dist')).some((f) => f.includes('.test.'))).toBe(false);
    });

    it(`${pkg.name} type-checks from its shipped declarations`, () => {
      const app = join(work, 'app');
      const dir = join(app, `types-${pkg.name.replace('/', '-')}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'index.ts'), `import * as m from '${pkg.name}';\n${smoke[pkg.name]!.ts}\n`);
      writeFileSync(
        join(dir, 'tsconfig.json'),
        JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true, noEmit: true, types: [] }, include: ['index.ts'] }),
      );
      const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
      execFileSync('node', [tsc, '-p', dir], { cwd: app, stdio: 'pipe' });
    });
  }
});

describe("the README's code example", () => {
  it('type-checks and runs against the installed tarballs, and its loss falls', async () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## A network in a few lines'));
    const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
    expect(code, 'README has a ts block under "A network in a few lines"').toBeDefined();
    const dir = join(work, 'app', 'readme');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'example.ts'), code!);
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true, types: [] }, include: ['example.ts'] }),
    );
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    execFileSync('node', [tsc, '-p', dir], { cwd: dir, stdio: 'pipe' });
    const out = execFileSync('node', [join(dir, 'example.js')], { cwd: dir, encoding: 'utf8' });
    const losses = [...out.matchAll(/loss (\d+\.\d+)/g)].map((m) => Number(m[1]));
    expect(losses).toHaveLength(5);
    // Two samples, two classes: the loss starts near ln 2 and SGD drives it well down.
    expect(losses[0]).toBeCloseTo(Math.log(2), 1);
    expect(losses.at(-1)!).toBeLessThan(losses[0]! / 4);
  });
});
