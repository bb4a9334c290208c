import { describe, expect, it } from 'vitest';
import { lastWords } from './cli-run.js';

describe('lastWords', () => {
  const time = '\tCommand being timed: "node bin.js predict"\n\tExit status: 1\n';
  it("takes a crash's error line, not Node's version or time's exit line", () => {
    const crash = [
      'file:///work/main/apps/cli/dist/bin.js:12',
      '    throw err;',
      '    ^',
      '',
      "Error: Cannot find module '/work/main/packages/tensor/dist/index.js'",
      '    at finalizeResolution (node:internal)',
      '    at moduleResolve (node:internal)',
      '',
      'Node.js v20.20.2',
      'Command exited with non-zero status 1',
      '',
    ].join('\n');
    expect(lastWords(crash + time)).toBe("Error: Cannot find module '/work/main/packages/tensor/dist/index.js'");
    expect(lastWords(`dlfs predict: error: --model model.json: no such file\nCommand exited with non-zero status 2\n${time}`)).toBe(
      'dlfs predict: error: --model model.json: no such file',
    );
  });
  it('else the last 3 lines, a signal included', () => {
    expect(lastWords(`loading 28000 rows\npredicting\nwriting\nCommand terminated by signal 9\n${time}`)).toBe(
      'predicting writing Command terminated by signal 9',
    );
  });
});
