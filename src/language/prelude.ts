/**
 * The declarations of what the kernel puts in every cell's scope without an import (src/kernel/main.ts
 * installs them on the kernel's global object). Node's own globals (`console`, `process`, `require`,
 * timers) come from the shipped `@types/node`, since cells run in the kernel's Node process.
 */

/** The text of the notebook's prelude `.d.ts`. */
export const PRELUDE = `// Globals of the Gradscope kernel: what a cell can use without importing it.

/** A rich output made by \`display\`: \`update\` replaces its content in place. */
interface GradscopeDisplayHandle {
  /** The output's id in the notebook. */
  readonly id: string;
  /** Replaces the output's content (same output, updated in place). */
  update(value: unknown, mime?: string): void;
}

/**
 * Shows \`value\` as an output of the running cell: tensors and objects as text, an HTML or SVG string
 * with \`mime\` \`'text/html'\` or \`'image/svg+xml'\`. Returns a handle that can update the output in place.
 *
 * @example
 * const out = display('starting…');
 * out.update('done');
 */
declare function display(value: unknown, mime?: string): GradscopeDisplayHandle;

/**
 * Asks the user for one line of input (the editor's input box, Jupyter's stdin) and resolves to it.
 * Rejects when the front end cannot ask, and when the cell is interrupted while waiting.
 *
 * @example
 * const name = await prompt('Run name?');
 */
declare function prompt(message?: unknown, options?: { password?: boolean }): Promise<string>;
`;
