/**
 * The learning-rate finder's payload: what `gs.lrFinder` shows in a notebook (one output item of
 * MIME type {@link LR_FINDER_MIME}) and returns. Types and constants only: browser code (renderers/),
 * the kernel and the library share it, so it imports nothing.
 *
 * Versioning: `version` is bumped on any change an older reader would misread; readers ignore fields
 * they do not know.
 */

/** MIME type of the learning-rate finder's output item. */
export const LR_FINDER_MIME = 'application/vnd.gradscope.lrfinder+json';

/** Current schema version of {@link LrFinderPayload}. */
export const LR_FINDER_SCHEMA_VERSION = 1;

/** One marked rate on the curve, with the step it was taken at. */
export interface LrPoint {
  /** Index into `lr` / `loss` / `smoothed`. */
  index: number;
  lr: number;
  /** Smoothed loss at that rate. */
  loss: number;
}

/** The finder's suggestion, or why it makes none. */
export interface LrSuggestion {
  /** The suggested rate; absent when the curve does not support one (`reason` says why). */
  lr?: number;
  /** How `lr` was chosen: the steepest descent of the smoothed loss. */
  method: 'steepest';
  /** Sentences for people: what was measured and why this rate (or why none). */
  reason: string[];
}

/** The whole payload of one range test. */
export interface LrFinderPayload {
  version: typeof LR_FINDER_SCHEMA_VERSION;
  /** Rate of each step taken (exponential from `start` toward `end`). */
  lr: number[];
  /** Training loss of each step's batch (null where not finite). */
  loss: (number | null)[];
  /** Exponentially smoothed, bias-corrected loss of each step (null where not finite). */
  smoothed: (number | null)[];
  /** The range asked for and its plan. */
  range: { start: number; end: number; steps: number; beta: number; divergeFactor: number; burnIn: number };
  /** Steepest descent of the smoothed loss after the burn-in, before the minimum. */
  steepest?: LrPoint & { slope: number };
  /** Lowest smoothed loss after the burn-in. */
  minimum?: LrPoint;
  /** Where the test stopped because the loss diverged (smoothed > divergeFactor × best, or not finite). */
  diverged?: LrPoint & { why: string };
  suggestion: LrSuggestion;
  /** Optimizer class name used (a fresh copy of it). */
  optimizer: string;
  /** Restored weights and optimizer: always true once the test ended (a failure throws). */
  restored: boolean;
}
