/**
 * The notebook "New Gradscope Notebook" creates: nbformat 4 with the Gradscope kernelspec and one
 * code cell that imports TensorFlow.js and the gradscope library, so the first cell a user writes can
 * train a model. Pure: the command (extension.ts) opens it as an untitled `.tfnb` document.
 *
 * @example
 * const nb = starterNotebook();
 * nb.cells[0].source; // "import * as tf from '@tensorflow/tfjs';\nimport * as gs from 'gradscope';"
 */
import { emptyNotebook, type NotebookModel } from './nbformat';

/** The imports cell's source. */
export const STARTER_IMPORTS = "import * as tf from '@tensorflow/tfjs';\nimport * as gs from 'gradscope';";

/** A new notebook: the imports cell, then an empty code cell to write in. */
export function starterNotebook(): NotebookModel {
  const nb = emptyNotebook();
  nb.cells = [STARTER_IMPORTS, ''].map((source) => ({
    kind: 'code', source, language: 'typescript', metadata: {}, outputs: [], executionCount: null,
  }));
  return nb;
}
