import { loadCsv } from '@dlfs/data/node';
import { InputError } from '../errors.js';

export interface ScoreFlags {
  submission: string;
  answers: string;
  json: boolean;
}

/** Scores a Kaggle submission (ImageId,Label) against an answer key of the same form, as Kaggle would. */
export async function scoreCommand(flags: ScoreFlags): Promise<number> {
  const answers = await loadCsv(flags.answers, { label: 'Label' });
  const submission = await loadCsv(flags.submission, { label: 'Label', classes: answers.classes! });
  for (const [csv, path] of [
    [answers, flags.answers],
    [submission, flags.submission],
  ] as const) {
    if (csv.featureNames.length !== 1 || csv.featureNames[0] !== 'ImageId') {
      throw new InputError(
        `${path}: a submission and its answer key have exactly the columns ImageId,Label; found ${[...csv.featureNames, 'Label'].join(',')}`,
      );
    }
  }
  if (submission.rows !== answers.rows) {
    throw new InputError(`${flags.submission}: has ${submission.rows} rows but ${flags.answers} has ${answers.rows}; predict every row of the test file`);
  }
  let correct = 0;
  for (let i = 0; i < answers.rows; i++) {
    if (submission.x.data[i] !== answers.x.data[i]) {
      throw new InputError(
        `${flags.submission}: line ${i + 2} has ImageId ${submission.x.data[i]} but ${flags.answers} has ${answers.x.data[i]} there; keep the ImageIds in ` +
          `order`,
      );
    }
    if (submission.labels![i] === answers.labels![i]) correct++;
  }
  const accuracy = answers.rows === 0 ? 0 : correct / answers.rows;
  if (flags.json) process.stdout.write(`${JSON.stringify({ rows: answers.rows, correct, accuracy }, null, 2)}\n`);
  else process.stdout.write(`accuracy ${accuracy.toFixed(4)} (${correct} of ${answers.rows} rows)\n`);
  return 0;
}
