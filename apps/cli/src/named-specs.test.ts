import { describe, expect, it } from 'vitest';
import { dlfs, tempDir } from './test-support/run-dlfs.js';

describe("the named specs (@dlfs/model's NAMED_SPECS)", () => {
  it('are listed by dlfs layers and dlfs train --help', () => {
    const dir = tempDir();
    const layers = dlfs(['layers'], dir).stdout;
    expect(layers).toMatch(/named specs \(dlfs train --spec NAME\):\n {2}simple-convnet {2}7\.5 SimpleConvNet/);
    expect(layers).toMatch(/\n {2}deep-convnet {2}8\.1 DeepConvNet/);
    expect(dlfs(['train', '--help'], dir).stdout.replace(/\s+/g, ' ')).toMatch(/or a named spec: simple-convnet, deep-convnet/);
  });
});
