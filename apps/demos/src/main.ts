import { gradcheckSection } from './gradcheck/gradcheck-section.js';
import { shoppingSection } from './shopping/shopping-section.js';
import { trainingSection } from './page/training-section.js';
import { tryItSection } from './page/try-it-section.js';
import { chapter6Sections } from './ch6/chapter6.js';

const main = document.getElementById('main');
if (main === null) throw new Error('index.html has no <main id="main">');

const tryIt = tryItSection();
main.append(
  shoppingSection(),
  gradcheckSection(),
  trainingSection({
    onModel: (predictor, network) => tryIt.setPageModel(predictor, network),
    onPickDigit: (pixels, caption) => tryIt.showDigit(pixels, caption),
  }),
  tryIt.element,
  ...chapter6Sections(),
);
