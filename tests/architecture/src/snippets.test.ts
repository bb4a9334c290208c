import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkSnippets, extractSnippets, markdownFiles, SKIPPED_FILES, SNIPPET_DIR, snippetsOf, writeSnippets } from './snippets.js';
import { ROOT } from './workspace.js';

// The examples of README.md, CONTRIBUTING.md, ARCHITECTURE.md and every packages/*/README.md
// type-check against the built packages (`pnpm build` first; turbo's `test` task builds them).
// How blocks are found, named and skipped: see snippets.ts.

describe('TypeScript examples in the documentation', () => {
  const files = markdownFiles();
  const snippets = files.flatMap(snippetsOf);

  it('finds a README in every package whose package.json ships one', () => {
    const missing = readdirSync(join(ROOT, 'packages')).filter((name) => {
      const pkg = join(ROOT, 'packages', name, 'package.json');
      if (!existsSync(pkg)) return false;
      const files = (JSON.parse(readFileSync(pkg, 'utf8')) as { files?: string[] }).files ?? [];
      return files.includes('README.md') && !existsSync(join(ROOT, 'packages', name, 'README.md'));
    });
    expect(missing, 'packages whose package.json "files" lists README.md but that have none').toEqual([]);
  });

  it('finds a checked example in every package README', () => {
    expect(files).toContain('README.md');
    expect(files).toContain('CONTRIBUTING.md');
    const without = files.filter((f) => f.startsWith('packages/') && !snippets.some((s) => s.file === f && s.skipped === undefined));
    expect(without, 'package READMEs without a complete ```ts example').toEqual([]);
  });

  it('type-check against the built packages', () => {
    const errors = checkSnippets(writeSnippets(snippets, join(SNIPPET_DIR, 'docs')));
    expect(errors, 'examples in the Markdown that do not type-check (file:line:column of the Markdown)').toEqual([]);
  });

  it.each(Object.entries(SKIPPED_FILES))('skips %s, which still exists (reason: %s)', (file) => {
    expect(existsSync(join(ROOT, file)), `${file} is gone: remove it from SKIPPED_FILES in snippets.ts`).toBe(true);
  });
});

describe('the snippet checker', () => {
  const markdown = [
    '# A page', //                                 1
    '', //                                         2
    '```ts', //                                    3
    "import { Rng } from '@dlfs/tensor';", //      4
    'const seed: string = new Rng(1);', //         5
    '```', //                                      6
    '', //                                         7
    '- in a list:', //                             8
    '', //                                         9
    '  ```typescript file=answer.ts', //           10
    '  export const answer = 42;', //              11
    '  ```', //                                    12
    '', //                                         13
    '~~~ts', //                                    14
    "import { answer } from './answer.js';", //    15
    'const n: number = await Promise.resolve(answer);', // 16
    '~~~', //                                      17
    '', //                                         18
    '```ts fragment', //                           19
    'forward(x, ctx) { ... }', //                  20
    '```', //                                      21
    '', //                                         22
    '```sh', //                                    23
    'pnpm test', //                                24
    '```', //                                      25
  ].join('\n');

  it('finds ts blocks (backticks or tildes, indented or not) with the Markdown line of their first line', () => {
    const found = extractSnippets(markdown, 'page.md');
    expect(found.map((s) => [s.line, s.indent, s.name, s.skipped])).toEqual([
      [4, 0, 'line-4.ts', undefined],
      [11, 2, 'answer.ts', undefined],
      [15, 0, 'line-15.ts', undefined],
      [20, 0, 'line-20.ts', 'marked "fragment"'],
    ]);
    expect(found[1]!.code).toBe('export const answer = 42;\n');
  });

  it('fails on a wrong snippet, naming the Markdown file, line and column; imports between blocks and top-level await work', () => {
    const written = writeSnippets(extractSnippets(markdown, 'page.md'), join(SNIPPET_DIR, 'self-test'));
    expect(written.size).toBe(3);
    const errors = checkSnippets(written);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^page\.md:5:7: error TS2322: Type 'Rng' is not assignable to type 'string'\. \(block at line 3\)$/);
  });
});
