import { CsvError } from '@dlfs/data';
import { DuplicateLayerError, LayerConfigError, LayerCreateError, UnknownLayerError } from '@dlfs/layers';
import { LayerError, ModelFileError, SpecError } from '@dlfs/model';
import { OptimizerConfigError, UnknownOptimizerError } from '@dlfs/optimizers';
import { ShapeError } from '@dlfs/tensor';
import { OnnxExportError } from '@dlfs/onnx';

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
    err instanceof OptimizerConfigError ||
    err instanceof LayerError ||
    err instanceof OnnxExportError
  );
}

/** Whether `err`, or an error it was caused by, is about a layer type nobody registered. */
export function isUnknownLayer(err: unknown): boolean {
  for (let e = err; e instanceof Error; e = e.cause) if (e instanceof UnknownLayerError) return true;
  return false;
}

/**
 * A CSV error in the words of the command that read the file. The loader speaks of its API
 * options (label: "<column>", label: null); for the errors where those are the fix, the command
 * says which of its own flags fixes it, or that none does. Other errors keep their message.
 */
export function csvMessage(command: string, err: CsvError): string {
  if (err.code !== 'MISSING_LABEL_COLUMN' && err.code !== 'NO_FEATURES') return err.message;
  const columns = err.columns ?? [];
  const shown =
    columns.length <= 6
      ? columns.map((c) => JSON.stringify(c)).join(', ')
      : `${columns
          .slice(0, 5)
          .map((c) => JSON.stringify(c))
          .join(', ')}, ... (${columns.length} columns)`;
  const what =
    err.code === 'MISSING_LABEL_COLUMN' ? `there is no label column "${err.label}"` : `there are no feature columns besides the label column "${err.label}"`;
  const fix =
    command === 'score'
      ? "A submission and its answer key have exactly the columns ImageId,Label, as Kaggle's do"
      : command === 'train' || command === 'gradcheck' || command === 'evaluate'
        ? 'Name the label column with --label <column>'
        : 'Give a file with the columns the model was trained on';
  return `${err.file}, line 1: ${what}; the header has ${shown}. ${fix}`;
}
