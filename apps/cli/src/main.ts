import { Command, CommanderError, Option } from 'commander';
import { checkLayerCommand } from './commands/check-layer.js';
import { evaluateCommand } from './commands/evaluate.js';
import { EXPORT_HELP, exportCommand } from './commands/export.js';
import { gradcheckCommand } from './commands/gradcheck.js';
import { layersCommand } from './commands/layers.js';
import { predictCommand } from './commands/predict.js';
import { sampleCommand } from './commands/sample.js';
import { scoreCommand } from './commands/score.js';
import { TRAIN_DEFAULTS, trainCommand } from './commands/train.js';
import { CsvError } from '@dlfs/data';
import { csvMessage, isUnknownLayer, isUserError } from './errors.js';
import {
  augment,
  collect,
  DEFAULT_THREADS,
  fraction,
  init,
  inputShape,
  jsonObject,
  MAX_THREADS,
  nonNegativeNumber,
  oneOf,
  positiveInt,
  positiveNumber,
  seed,
  threadCount,
} from './options.js';
import { cliVersion } from './version.js';
import { NAMED_SPECS } from '@dlfs/model';
import { KernelThreadsError } from '@dlfs/tensor';

const SCALES = ['minmax', '255', 'none'] as const;
const pluginOption = (): Option =>
  new Option('--plugin <module>', 'load layer types from a module whose default export is an array of LayerDefs (repeatable)').argParser(collect).default([]);
const jsonOption = (): Option => new Option('--json', 'print a machine-readable summary on stdout').default(false);

/** --threads: kernel threads for the command's float32 kernels. */
function threadsOption(same: string): Option {
  return new Option('--threads <n>', `kernel threads, this one counted (1 to ${MAX_THREADS}; at most one per core is used); ${same}`)
    .argParser(threadCount)
    .default(DEFAULT_THREADS, `${DEFAULT_THREADS}: this machine's cores, at most 4`);
}
/** Runs the dlfs command line; returns the exit code. Errors in the user's input print one message, never a stack trace. */
export async function main(argv: readonly string[]): Promise<number> {
  let code = 0;
  const program = new Command('dlfs')
    .description('Deep Learning from Scratch, chapter 5: train, check and use a two-layer network on a Kaggle digit-recognizer CSV.')
    .version(cliVersion(), '-V, --version', 'print the version of dlfs')
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeErr: (s) => process.stderr.write(s), writeOut: (s) => process.stdout.write(s) });

  const run = (fn: () => Promise<number>) => async (): Promise<void> => {
    code = await fn();
  };

  program
    .command('train')
    .description(
      'train the chapter-5 network (784-50-10, SGD lr 0.1, batch 100, 10,000 iterations) on a labelled CSV, or on the bundled MNIST sample without --data',
    )
    .option('--data <file>', 'training CSV with a header row (Kaggle train.csv: label,pixel0..pixel783); default: the bundled MNIST sample')
    .option('--label <name>', 'name of the label column, anywhere in the row', 'label')
    .option(
      '--spec <file|name>',
      'network spec JSON: {"inputShape": [1, 28, 28], "layers": [{"type": "affine", "units": 50}, ...], "loss": "softmax-with-loss"}, ' +
        `or a named spec: ${Object.keys(NAMED_SPECS).join(', ')}`,
    )
    .addOption(new Option('--hidden <n>', 'hidden units of the default network').argParser(positiveInt('--hidden')).default(TRAIN_DEFAULTS.hidden))
    .addOption(
      new Option(
        '--init <std|xavier|he>',
        'initial weight scale of every layer with weights (affine, conv2d) the spec leaves unset (default 0.01, as the book)',
      ).argParser(init),
    )
    .addOption(
      new Option('--weight-decay <lambda>', 'weight decay λ (6.4.1): ½λ‖W‖² of every weight matrix and filter added to the loss').argParser(
        nonNegativeNumber('--weight-decay'),
      ),
    )
    .addOption(
      new Option(
        '--augment <spec>',
        'random shifts and rotations of each training batch of images, such as shift=2,rotate=10 (needs a spec inputShape)',
      ).argParser(augment),
    )
    .option('--optimizer <name>', 'sgd, momentum, nesterov, adagrad, rmsprop or adam', TRAIN_DEFAULTS.optimizer)
    .addOption(new Option('--lr <n>', 'learning rate (default 0.1 for sgd, the book default for the others)').argParser(positiveNumber('--lr')))
    .addOption(new Option('--batch <n>', 'rows per mini-batch').argParser(positiveInt('--batch')).default(TRAIN_DEFAULTS.batch))
    .addOption(new Option('--iters <n>', `iterations (default ${TRAIN_DEFAULTS.iters})`).argParser(positiveInt('--iters')))
    .addOption(new Option('--epochs <n>', 'whole passes over the training rows, instead of --iters').argParser(positiveInt('--epochs')))
    .addOption(
      new Option('--sampling <mode>', 'replacement: random batches as the book; epoch: shuffled passes')
        .argParser(oneOf('--sampling', ['replacement', 'epoch'] as const))
        .default('replacement'),
    )
    .addOption(new Option('--val <fraction>', 'fraction of rows held out for validation').argParser(fraction('--val')).default(TRAIN_DEFAULTS.val))
    .addOption(
      new Option('--scale <how>', 'minmax (per feature, fitted on the training split), 255 (pixels), none')
        .argParser(oneOf('--scale', SCALES))
        .default(TRAIN_DEFAULTS.scale),
    )
    .addOption(new Option('--seed <n>', 'seed of the split, the weights and the batches').argParser(seed('--seed')).default(TRAIN_DEFAULTS.seed))
    .addOption(threadsOption('the model is the same bits with any count'))
    .option('--out <file>', 'where to save the model (written atomically)', TRAIN_DEFAULTS.out)
    .option('--metrics <file>', 'also write per-epoch metrics and timings as JSON')
    .addOption(jsonOption())
    .addOption(pluginOption())
    .action(async function (this: Command) {
      await run(() => trainCommand(this.opts()))();
    });

  program
    .command('predict')
    .description('predict every row of a CSV and write a Kaggle submission (ImageId,Label)')
    .requiredOption('--model <file>', 'model file from dlfs train')
    .requiredOption('--data <file>', "CSV with the training CSV's feature columns (Kaggle test.csv)")
    .option('--out <file>', 'submission file (written atomically)', 'submission.csv')
    .addOption(threadsOption('the predictions are the same with any count'))
    .addOption(jsonOption())
    .addOption(pluginOption())
    .action(async function (this: Command) {
      await run(() => predictCommand(this.opts()))();
    });

  program
    .command('evaluate')
    .description('accuracy of a saved model on a labelled CSV, overall and per class')
    .requiredOption('--model <file>', 'model file from dlfs train')
    .requiredOption('--data <file>', "labelled CSV with the training CSV's columns")
    .option('--label <name>', 'name of the label column (default: the one the model was trained with)')
    .addOption(threadsOption('the results are the same with any count'))
    .addOption(jsonOption())
    .addOption(pluginOption())
    .action(async function (this: Command) {
      await run(() => evaluateCommand(this.opts()))();
    });

  program
    .command('export')
    .description('write a model as ONNX, to run it without dlfs (ONNX Runtime in a page, Python, C#, a phone)')
    .requiredOption('--model <file>', 'model file from dlfs train')
    .requiredOption('--out <file>', 'the .onnx file to write (atomically)')
    .addOption(jsonOption())
    .addOption(pluginOption())
    .addHelpText('after', EXPORT_HELP)
    .action(async function (this: Command) {
      await run(() => exportCommand(this.opts()))();
    });

  program
    .command('gradcheck')
    .description('compare backprop with numerical gradients of the network on a few samples (5.7.3)')
    .option('--spec <file|name>', `network spec JSON, or a named spec (${Object.keys(NAMED_SPECS).join(', ')}); default: the chapter-5 network`)
    .option('--data <file>', 'labelled CSV to take the samples from (default: the bundled MNIST sample)')
    .option('--label <name>', 'name of the label column', 'label')
    .addOption(new Option('--samples <n>', 'how many rows to check on').argParser(positiveInt('--samples')).default(3))
    .addOption(new Option('--scale <how>', 'minmax, 255 or none').argParser(oneOf('--scale', SCALES)).default('minmax'))
    .addOption(new Option('--seed <n>', 'seed of the weights and of the pass replayed for every probe').argParser(seed('--seed')).default(0))
    .addOption(
      new Option('--mode <pass>', 'train: the training pass (dropout masks, batch statistics), eval: the evaluation pass; loss and gradients in the same one')
        .argParser(oneOf('--mode', ['train', 'eval'] as const))
        .default('train'),
    )
    .addOption(jsonOption())
    .addOption(pluginOption())
    .action(async function (this: Command) {
      await run(() => gradcheckCommand(this.opts()))();
    });

  program
    .command('layers')
    .description('list the layer types a spec may use, with their config')
    .addOption(jsonOption())
    .addOption(pluginOption())
    .action(async function (this: Command) {
      await run(() => layersCommand(this.opts()))();
    });

  program
    .command('check-layer')
    .description('run the layer conformance kit: contract, and backprop against numerical gradients in an evaluation and a training pass')
    .option('--type <type>', 'check only this layer type (built-ins included); default: every type the plugins export, or every built-in')
    .addOption(
      new Option('--input-shape <shape>', 'shape of one input sample: 64, or 1x28x28 for an image (the default is a small image, which every built-in takes)')
        .argParser(inputShape)
        .default([2, 6, 6], '2x6x6'),
    )
    .addOption(new Option('--config <json>', "the layer's config as JSON, such as '{\"units\": 3}'").argParser(jsonObject('--config')))
    .addOption(new Option('--seed <n>', 'seed of the weights, the input and the passes').argParser(seed('--seed')).default(0))
    .addOption(jsonOption())
    .addOption(pluginOption())
    .action(async function (this: Command) {
      await run(() => checkLayerCommand(this.opts()))();
    });

  program
    .command('sample')
    .description('write the bundled MNIST sample as Kaggle CSVs: train.csv, test.csv and test_labels.csv (the answer key)')
    .requiredOption('--out <path>', 'directory to write into (with --resample: the train.csv file to write)')
    .addOption(new Option('--train-rows <n>', 'rows of train.csv').argParser(positiveInt('--train-rows')).default(8000))
    .addOption(new Option('--test-rows <n>', 'rows of test.csv').argParser(positiveInt('--test-rows')).default(2000))
    .addOption(
      new Option('--resample <rows>', 'instead, write one Kaggle-size train.csv of this many rows drawn with replacement (42000 like Kaggle)').argParser(
        positiveInt('--resample'),
      ),
    )
    .addOption(new Option('--seed <n>', 'seed of the order and the draws').argParser(seed('--seed')).default(0))
    .addOption(jsonOption())
    .action(async function (this: Command) {
      await run(() => sampleCommand(this.opts()))();
    });

  program
    .command('score')
    .description('score a Kaggle submission (ImageId,Label) against an answer key such as test_labels.csv from dlfs sample')
    .requiredOption('--submission <file>', 'the submission, as written by dlfs predict')
    .requiredOption('--answers <file>', 'the answer key: ImageId,Label with the true labels')
    .addOption(jsonOption())
    .action(async function (this: Command) {
      await run(() => scoreCommand(this.opts()))();
    });

  try {
    await program.parseAsync(argv);
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander has printed its message (or the help); 0 for --help and --version.
      return err.exitCode;
    }
    return reportFailure(argv, err, (text) => process.stderr.write(text));
  }
}

/**
 * What a command that failed with `err` prints (through `write`) and its exit code: one message
 * for the user's input (1) and for kernel threads that stopped (1, with what to do), a stack
 * trace only with DLFS_DEBUG for anything else, which is a bug in dlfs (70).
 */
export function reportFailure(argv: readonly string[], err: unknown, write: (text: string) => void): number {
  const command = argv[2] ? `dlfs ${argv[2]}` : 'dlfs';
  if (isUserError(err)) {
    // A type from a plugin module is known only when the module is loaded.
    const pluginHint = isUnknownLayer(err) && !argv.includes('--plugin') ? '\n(a layer type from a plugin? load its module with --plugin <module>)' : '';
    const message = err instanceof CsvError ? csvMessage(argv[2] ?? '', err) : err.message;
    write(`${command}: error: ${message}${pluginHint}\n`);
    return 1;
  }
  if (err instanceof KernelThreadsError) {
    // Not the input and not a bug: the machine took a worker away. Files are written whole or not at all.
    write(`${command}: error: ${err.message}\n(run the command again, or with --threads 1 to use no kernel threads)\n`);
    return 1;
  }
  const e = err as Error;
  if (process.env.DLFS_DEBUG) write(`${e.stack ?? String(e)}\n`);
  write(`${command}: unexpected error: ${e.message ?? String(e)}\n(this is a bug in dlfs; run with DLFS_DEBUG=1 to see where it happened)\n`);
  return 70;
}
