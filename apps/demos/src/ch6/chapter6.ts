import './ch6.css';
import { initSection } from './init-section.js';
import { labSection } from './lab-section.js';
import { optimizerSection } from './optimizer-section.js';

/** Chapter 6 of the book, in three sections: optimizers (6.1), initial weights (6.2), Batch Normalization and regularisation (6.3, 6.4). */
export function chapter6Sections(): HTMLElement[] {
  return [optimizerSection(), initSection(), labSection()];
}
