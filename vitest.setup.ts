import fc from 'fast-check';

// In CI the property tests run on one fixed seed, so that a rare case no change touched cannot
// turn a run red at random; local runs draw a new seed each time and keep exploring.
if (process.env.CI) fc.configureGlobal({ seed: 20261128 });
