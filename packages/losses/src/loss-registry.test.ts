import { Rng, randn } from '@dlfs/tensor';
import { describe, expect, it } from 'vitest';
import { builtinLosses, identityWithLoss, softmaxWithLoss } from './builtin-losses.js';
import { IdentityWithLoss } from './identity-with-loss.js';
import type { LossDef } from './loss-layer.js';
import { DuplicateLossError, LossRegistry, UnknownLossError } from './loss-registry.js';
import { SoftmaxWithLoss } from './softmax-with-loss.js';

describe('LossRegistry', () => {
  it('holds the built-in losses, each call a fresh registry', () => {
    const a = builtinLosses();
    expect(a.types()).toEqual(['identity-with-loss', 'softmax-with-loss']);
    expect(a.create('softmax-with-loss')).toBeInstanceOf(SoftmaxWithLoss);
    expect(a.create('identity-with-loss')).toBeInstanceOf(IdentityWithLoss);
    a.register({ ...identityWithLoss, type: 'mse' });
    expect(builtinLosses().has('mse')).toBe(false);
  });

  it('declares which losses classify, instead of callers testing their names', () => {
    expect(softmaxWithLoss.capabilities?.classifier).toBe(true);
    expect(identityWithLoss.capabilities?.classifier).toBeFalsy();
  });

  it('names unknown and duplicate types', () => {
    const r = builtinLosses();
    expect(() => r.get('cross-entropy')).toThrow(UnknownLossError);
    expect(() => r.get('cross-entropy')).toThrow('unknown loss type "cross-entropy"; known types: identity-with-loss, softmax-with-loss');
    expect(() => r.register(softmaxWithLoss)).toThrow(DuplicateLossError);
    expect(() => new LossRegistry().register({ type: 'x' } as unknown as LossDef)).toThrow(
      'LossRegistry.register: loss def "x" has no create(config) function',
    );
  });

  it('validates the config through the def, and a built-in takes none', () => {
    expect(() => builtinLosses().create('softmax-with-loss', { smoothing: 0.1 })).toThrow(
      'softmax-with-loss: unknown config key "smoothing"; this loss takes no config',
    );
  });

  it('gives loss layers that work as the classes do', () => {
    const x = randn([4, 3], new Rng(1));
    const fromRegistry = builtinLosses().create('softmax-with-loss');
    expect(fromRegistry.forward(x, [0, 1, 2, 0])).toBe(new SoftmaxWithLoss().forward(x, [0, 1, 2, 0]));
  });
});
