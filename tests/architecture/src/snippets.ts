import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { ROOT } from './workspace.js';

// The TypeScript examples of the documentation, type-checked against the built packages so that
// an API change that breaks an example breaks a test. Every ```ts (or ```typescript) block of the
// Markdown files below is written as a module into tests/architecture/.snippets/ (git-ignored)
// and all of them are checked as one program, with the repository's compiler options.
//
// A block's info string may carry words after the language:
//   ```ts fragment        deliberately partial code (an interface excerpt, a call without its
//                         set-up): not checked. Use it sparingly; prefer a complete example.
//   ```ts file=tanh.ts    the module's name, so that another block of the same Markdown file can
//                         import it (`import { tanh } from './tanh.js'`). Without it a block is
//                         written as line-<N>.ts.

/**
 * Markdown files whose blocks are not checked, each with the reason. Remove an entry as soon as
 * its reason is gone.
 */
export const SKIPPED_FILES: Readonly<Record<string, string>> = {};

/** The info-string word that marks a block as deliberately partial. */
export const FRAGMENT = 'fragment';

/** The Markdown files whose ```ts blocks are checked: the root's three and every package README, minus SKIPPED_FILES. */
export function markdownFiles(): string[] {
  const packages = readdirSync(join(ROOT, 'packages'))
    .map((name) => `packages/${name}/README.md`)
    .filter((file) => existsSync(join(ROOT, file)))
    .sort();
  return ['README.md', 'CONTRIBUTING.md', 'ARCHITECTURE.md', ...packages].filter((file) => !(file in SKIPPED_FILES));
}

export interface Snippet {
  /** The Markdown file, relative to the root (or any name, for text given directly). */
  file: string;
  /** 1-based line of the Markdown that holds the block's first line of code. */
  line: number;
  /** Spaces taken off the start of every line (a block indented inside a list item). */
  indent: number;
  /** The module's file name: `file=NAME.ts` from the info string, else line-<N>.ts. */
  name: string;
  code: string;
  /** Why the block is not checked (a `fragment`), or undefined when it is. */
  skipped: string | undefined;
}

const TS_LANGUAGES = new Set(['ts', 'typescript', 'mts']);

/**
 * The ```ts blocks of a Markdown text, with where each starts. A fence is three or more backticks
 * or tildes, indented by any number of spaces; it closes at a line of at least as many of the
 * same character and nothing else, or at the end of the text.
 */
export function extractSnippets(markdown: string, file: string): Snippet[] {
  const lines = markdown.split(/\r?\n/);
  const out: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^( *)(`{3,}|~{3,})\s*(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const indent = open[1]!.length;
    const fence = open[2]!;
    const info = open[3]!.trim();
    if (fence[0] === '`' && info.includes('`')) continue; // an inline code span, not a fence
    const close = new RegExp(`^ *${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`);
    let end = i + 1;
    while (end < lines.length && !close.test(lines[end]!)) end++;
    const [language = '', ...words] = info.split(/\s+/);
    if (TS_LANGUAGES.has(language.toLowerCase())) {
      const line = i + 2;
      const named = words.find((w) => w.startsWith('file='))?.slice('file='.length);
      const code = lines
        .slice(i + 1, end)
        .map((l) => l.slice(Math.min(indent, /^ */.exec(l)![0].length)))
        .join('\n');
      out.push({
        file,
        line,
        indent,
        name: named ?? `line-${line}.ts`,
        code: `${code}\n`,
        skipped: words.includes(FRAGMENT) ? `marked "${FRAGMENT}"` : undefined,
      });
    }
    i = end;
  }
  return out;
}

/** Where the snippets are written: git-ignored, beside this package's package.json ("type": "module"). */
export const SNIPPET_DIR = join(ROOT, 'tests/architecture/.snippets');

/**
 * Writes the snippets that are not skipped under `dir` (emptied first), one folder per Markdown
 * file, and returns each written path with its snippet. Two blocks of one file with the same name
 * throw.
 */
export function writeSnippets(snippets: readonly Snippet[], dir: string): Map<string, Snippet> {
  rmSync(dir, { recursive: true, force: true });
  const written = new Map<string, Snippet>();
  for (const s of snippets) {
    if (s.skipped !== undefined) continue;
    if (!/^[\w.-]+\.m?ts$/.test(s.name)) throw new Error(`${s.file}:${s.line - 1}: file=${s.name} must be a plain file name ending in .ts`);
    const folder = join(dir, s.file.replace(/\.md$/i, '-md'));
    const path = join(folder, s.name);
    const before = written.get(path);
    if (before)
      throw new Error(`${s.file}:${s.line - 1}: a second block named ${s.name} (the first starts at line ${before.line - 1}); give one another file=`);
    mkdirSync(folder, { recursive: true });
    writeFileSync(path, s.code);
    written.set(path, s);
  }
  return written;
}

/**
 * The compiler options of the packages' own sources (tsconfig.base.json: strict,
 * noUncheckedIndexedAccess, NodeNext, verbatimModuleSyntax, ...), with every snippet a module
 * (so top-level await is allowed) and nothing emitted.
 */
export function snippetCompilerOptions(): ts.CompilerOptions {
  const configFile = join(ROOT, 'tsconfig.base.json');
  const { config, error } = ts.readConfigFile(configFile, (path) => ts.sys.readFile(path));
  if (error) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, '\n'));
  const parsed = ts.convertCompilerOptionsFromJson(config.compilerOptions, ROOT, configFile);
  if (parsed.errors.length > 0) throw new Error(parsed.errors.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')).join('\n'));
  return {
    ...parsed.options,
    strict: true,
    noUncheckedIndexedAccess: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    moduleDetection: ts.ModuleDetectionKind.Force,
    typeRoots: [join(ROOT, 'node_modules/@types')],
    noEmit: true,
    declaration: false,
    declarationMap: false,
    sourceMap: false,
  };
}

/**
 * Type-checks the written snippets as one program. Each error comes back as one line that points
 * into the Markdown: `packages/layers/README.md:17:5: error TS2345: ... (block at line 9)`.
 */
export function checkSnippets(written: ReadonlyMap<string, Snippet>): string[] {
  const program = ts.createProgram([...written.keys()], snippetCompilerOptions());
  return ts.getPreEmitDiagnostics(program).map((d) => describeDiagnostic(d, written));
}

function describeDiagnostic(d: ts.Diagnostic, written: ReadonlyMap<string, Snippet>): string {
  const message = ts.flattenDiagnosticMessageText(d.messageText, '\n    ');
  const kind = ts.DiagnosticCategory[d.category].toLowerCase();
  if (d.file === undefined || d.start === undefined) return `${kind} TS${d.code}: ${message}`;
  const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
  const snippet = written.get(d.file.fileName);
  if (snippet === undefined) return `${relative(ROOT, d.file.fileName)}:${line + 1}:${character + 1}: ${kind} TS${d.code}: ${message}`;
  return `${snippet.file}:${snippet.line + line}:${snippet.indent + character + 1}: ${kind} TS${d.code}: ${message} (block at line ${snippet.line - 1})`;
}

/** Reads a Markdown file of the repository and extracts its blocks. */
export function snippetsOf(file: string): Snippet[] {
  return extractSnippets(readFileSync(join(ROOT, file), 'utf8'), file);
}
