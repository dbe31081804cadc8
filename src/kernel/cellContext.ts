/**
 * Which cell a piece of running code belongs to, across its awaits and timers: every cell runs inside
 * an AsyncLocalStorage scope, so a continuation of an interrupted cell can be told from the code of
 * the cell that runs now (its next TensorFlow.js call throws), and an error thrown by a timer can be
 * shown on the cell that scheduled it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** One execution of a cell, as the code it started sees it. */
export interface CellScope {
  /** The execution id (the host's execute message). */
  readonly id: number;
  readonly label: string;
  readonly cellUri: string;
  readonly filename: string;
  /** Set once the cell was reported interrupted: its code left running must not touch state any more. */
  abandoned: boolean;
}

/** The async context that cells run in. */
export const cellContext = new AsyncLocalStorage<CellScope>();

/** Thrown into code of a cell that was interrupted, when it calls TensorFlow.js again. */
export class CellInterruptedError extends Error {
  constructor(readonly label: string) {
    super(`${label} was interrupted; its code that was still running (an async loop, a timer) is stopped here`);
    this.name = 'Interrupted';
  }
}

/** Throws {@link CellInterruptedError} when the calling code belongs to an abandoned cell. */
export function assertNotAbandoned(): void {
  const scope = cellContext.getStore();
  if (scope?.abandoned) throw new CellInterruptedError(scope.label);
}
