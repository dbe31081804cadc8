/**
 * Types shared by the fix functions: what a fix is pointed at, and its signature.
 */
import type ts from 'typescript';
import type { SourceEdit } from './ast';

/**
 * What a fix applies to, in the cell it edits. Offsets are 0-based positions in the cell's current
 * text where a call expression starts, as {@link locate} finds them.
 */
export interface FixTarget {
  /**
   * Start offsets of the flagged layers' factory calls (`tf.layers.dense(...)`). Undefined means the
   * finding is about the whole model (layer fixes then use `model`); `[]` means none was found.
   */
  layers?: number[];
  /** Start offset of the `tf.sequential(...)` / `tf.model(...)` call. */
  model?: number;
  /** Start offset of the `model.compile(...)` call. */
  compile?: number;
  /** Start offset of the `gs.fit(...)` / `model.fit(...)` call. */
  fit?: number;
  /**
   * For `freeze-base` when the cell has no `gs.transfer.reuse(base, { upTo })` to copy it from: the
   * last layer of the reused base (a name or an index). Defaults to none (the fix is not offered).
   */
  upTo?: string | number;
  /**
   * The learning rate as source text when it is set in another cell (the compile cell), for fixes
   * that restate it (`add-exponential-schedule`). Defaults to none (read from this cell only).
   */
  learningRate?: string;
}

/** One fix: the edits it makes to a parsed cell, or undefined when it does not apply there. */
export type FixFn = (sf: ts.SourceFile, target: FixTarget) => SourceEdit[] | undefined;
