import { CsvError } from '@dlfs/data';
import { DuplicateLayerError, LayerConfigError, LayerCreateError, UnknownLayerError } from '@dlfs/layers';
import { ModelFileError, SpecError } from '@dlfs/model';
import { OptimizerConfigError, UnknownOptimizerError } from '@dlfs/optimizers';
import { ShapeError } from '@dlfs/tensor';

/** A wrong flag or flag value: the message says which and what is allowed. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A problem with a file or module the user named (spec, plugin, output path). */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/** Errors that come from the user's input: shown as one message, never with a stack trace. */
export function isUserError(err: unknown): err is Error {
  return (
    err instanceof UsageError ||
    err instanceof InputError ||
    err instanceof CsvError ||
    err instanceof SpecError ||
    err instanceof ModelFileError ||
    err instanceof ShapeError ||
    err instanceof UnknownLayerError ||
    err instanceof DuplicateLayerError ||
    err instanceof LayerCreateError ||
    err instanceof LayerConfigError ||
    err instanceof UnknownOptimizerError ||
    err instanceof OptimizerConfigError
  );
}
