import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The CLI package's version, read at run time from its own package.json: one directory above
 * this file, both in the workspace (src/ and dist/) and in an installed package (dist/).
 */
export function cliVersion(): string {
  const file = fileURLToPath(new URL('../package.json', import.meta.url));
  try {
    const { version } = JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown };
    if (typeof version === 'string' && version !== '') return version;
    return `unknown (${file} has no version field)`;
  } catch (err) {
    return `unknown (${file} could not be read: ${(err as Error).message})`;
  }
}
