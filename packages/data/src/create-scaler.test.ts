import { tensor } from '@dlfs/tensor';
import { describe, expect, it } from 'vitest';
import { createScaler, scalerFromJSON } from './create-scaler.js';
import { Divide255Scaler } from './divide-255-scaler.js';
import { IdentityScaler } from './identity-scaler.js';
import { MinMaxScaler } from './min-max-scaler.js';
import { ScalerError, type ScalerType } from './scaler.js';

describe('createScaler', () => {
  it('makes each scaler by name', () => {
    expect(createScaler('minmax')).toBeInstanceOf(MinMaxScaler);
    expect(createScaler('255')).toBeInstanceOf(Divide255Scaler);
    expect(createScaler('none')).toBeInstanceOf(IdentityScaler);
  });

  it('lists the known names for an unknown one', () => {
    expect(() => createScaler('standard' as ScalerType)).toThrow(new ScalerError('unknown scaler "standard"; known scalers: minmax, 255, none'));
  });
});

describe('scalerFromJSON', () => {
  it('restores every scaler from its toJSON, through JSON text', () => {
    const x = tensor(
      [
        [0, 10],
        [255, 30],
      ],
      'float32',
    );
    for (const type of ['minmax', '255', 'none'] as const) {
      const fitted = createScaler(type).fit(x);
      const restored = scalerFromJSON(JSON.parse(JSON.stringify(fitted)));
      expect(restored.type).toBe(type);
      expect(Array.from(restored.transform(x).data)).toEqual(Array.from(fitted.transform(x).data));
    }
  });

  it('refuses malformed objects, naming the field', () => {
    const cases: [unknown, RegExp, string | undefined][] = [
      [null, /must be an object such as \{"type":"255"\}, got null/, undefined],
      [[1], /must be an object/, undefined],
      [{}, /"type" must be one of "minmax", "255", "none", got nothing/, 'type'],
      [{ type: 'zscore' }, /got "zscore"/, 'type'],
      [{ type: '255', min: [0] }, /unknown field "min"; it takes only type/, 'min'],
      [{ type: 'minmax', max: [1] }, /"min" must be a non-empty array of numbers, one per feature, got nothing/, 'min'],
      [{ type: 'minmax', min: [], max: [] }, /"min" must be a non-empty array/, 'min'],
      [{ type: 'minmax', min: [0, '1'], max: [1, 2] }, /min\[1\] must be a finite number, got "1"/, 'min[1]'],
      [{ type: 'minmax', min: [0], max: [NaN] }, /max\[0\] must be a finite number, got NaN/, 'max[0]'],
      [{ type: 'minmax', min: [0, 1], max: [1] }, /2 minima but 1 maxima/, 'max'],
      [{ type: 'minmax', min: [0, 5], max: [1, 2] }, /min\[1\] = 5 above max\[1\] = 2/, 'min[1]'],
    ];
    for (const [json, message, field] of cases) {
      let err: unknown;
      try {
        scalerFromJSON(json);
      } catch (e) {
        err = e;
      }
      expect(err, JSON.stringify(json)).toBeInstanceOf(ScalerError);
      expect((err as ScalerError).message).toMatch(message);
      expect((err as ScalerError).field).toBe(field);
    }
  });
});
