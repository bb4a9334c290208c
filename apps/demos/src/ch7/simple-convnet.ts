import { NAMED_SPECS, type NetworkSpec } from '@dlfs/model';

/** 7.5 SimpleConvNet, the spec `dlfs train --spec simple-convnet` trains (@dlfs/model's NAMED_SPECS). */
export const SIMPLE_CONVNET: NetworkSpec = NAMED_SPECS['simple-convnet']!.spec;

/** The networks the page trains: chapter 5's two-layer net and chapter 7's SimpleConvNet. */
export const NETWORK_CHOICES = ['two-layer', 'simple-convnet'] as const;
export type NetworkChoice = (typeof NETWORK_CHOICES)[number];

export const NETWORK_NAMES: Readonly<Record<NetworkChoice, string>> = Object.freeze({
  'two-layer': 'Two-layer net (5.7)',
  'simple-convnet': 'SimpleConvNet (7.5)',
});
