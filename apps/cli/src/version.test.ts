import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dlfs, tempDir } from './test-support/run-dlfs.js';

const PACKAGE = resolve(import.meta.dirname, '..');

describe('dlfs --version', () => {
  it.each(['--version', '-V'])('%s prints the version in package.json', (flag) => {
    const { version } = JSON.parse(readFileSync(join(PACKAGE, 'package.json'), 'utf8'));
    const r = dlfs([flag], tempDir());
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${version}\n`);
    expect(r.stderr).toBe('');
  });

  it('is listed in --help', () => {
    expect(dlfs(['--help'], tempDir()).stdout).toMatch(/-V, --version +print the version of dlfs/);
  });

  it("reads it at run time from the installed package's own package.json", () => {
    // The package as `pnpm pack` ships it, unpacked where no workspace is, its version changed.
    const dir = tempDir();
    execFileSync('pnpm', ['pack', '--pack-destination', dir], { cwd: PACKAGE, stdio: 'pipe' });
    const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'))!;
    const installed = join(dir, 'node_modules', '@dlfs', 'cli');
    mkdirSync(installed, { recursive: true });
    execFileSync('tar', ['-xzf', join(dir, tarball), '-C', installed, '--strip-components', '1']);
    const pkg = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
    writeFileSync(join(installed, 'package.json'), JSON.stringify({ ...pkg, version: '9.8.7-test' }));
    // Its dependencies are the workspace's, as an install would link them.
    symlinkSync(join(PACKAGE, 'node_modules'), join(installed, 'node_modules'), 'dir');
    const out = execFileSync(process.execPath, [join(installed, 'dist', 'bin.js'), '--version'], { cwd: dir, encoding: 'utf8' });
    expect(out).toBe('9.8.7-test\n');
  });
});
