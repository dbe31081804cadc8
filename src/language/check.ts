/**
 * `gradscope check NOTEBOOK…`: type-checks notebooks headless with the editor's notebook language
 * service and prints each error as `file: Cell N, line L, column C: message (TSxxxx)` (N counts every
 * cell, as `gradscope run` does; L and C are 1-based). Only errors are printed; nothing when none.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeNotebook, parseNotebook } from '../notebook/nbformat';
import { NotebookService, type CellDiagnostic } from './service';

/** Cell languages the service checks. */
export const CHECKED_LANGUAGES = new Set(['typescript']);

/**
 * The errors of one notebook file, with the cell numbers as `gradscope check` prints them. Throws
 * when the file cannot be read, and when it has code cells but none in TypeScript (a Python notebook
 * must not pass as checked).
 */
export function checkNotebook(file: string, typesRoot?: string): { cell: number; diagnostic: CellDiagnostic }[] {
  const model = parseNotebook(decodeNotebook(fs.readFileSync(file), path.basename(file)), path.basename(file));
  const code = model.cells.map((c, index) => ({ c, index })).filter(({ c }) => c.kind === 'code');
  const cells = code.filter(({ c }) => CHECKED_LANGUAGES.has(c.language));
  if (code.length > 0 && cells.length === 0) {
    throw new Error(`${path.basename(file)}: no TypeScript cells to check (its code cells are ${[...new Set(code.map(({ c }) => c.language))].join(', ')})`);
  }
  const service = new NotebookService({ dir: path.dirname(path.resolve(file)), name: path.basename(file), typesRoot });
  try {
    service.setCells(cells.map(({ c, index }) => ({ id: String(index + 1), text: c.source })));
    return service.diagnostics()
      .filter((d) => d.severity === 'error')
      .map((d) => ({ cell: Number(d.cell), diagnostic: d }));
  } finally {
    service.dispose();
  }
}

/** One error as `gradscope check` prints it: the message's first line, then its details indented. */
export function formatError(file: string, cell: number, d: CellDiagnostic): string {
  const [first, ...rest] = d.message.split('\n');
  const head = `${file}: Cell ${cell}, line ${d.start.line + 1}, column ${d.start.character + 1}: ${first} (TS${d.code})`;
  return [head, ...rest.map((l) => `    ${l.trim()}`)].join('\n');
}

export const CHECK_USAGE = `usage: gradscope check NOTEBOOK…

Type-checks the TypeScript cells of each NOTEBOOK (.tfnb or .ipynb) as the editor does (names and
imports of every cell known in the others, the kernel's globals, gradscope's and tfjs's types) and
prints each error as \`file: Cell N, line L, column C: message (TSxxxx)\`. Exits 0 when there is none,
1 when there are errors, 2 on bad usage or an unreadable notebook.`;

/** Runs the command; returns the exit code. */
export function checkCommand(argv: string[], out: (line: string) => void, err: (line: string) => void): number {
  if (argv.length === 0 || argv.includes('--help') || argv.includes('-h')) {
    err(argv.length === 0 ? `gradscope: NOTEBOOK is missing\n\n${CHECK_USAGE}` : CHECK_USAGE);
    return argv.length === 0 ? 2 : 0;
  }
  const option = argv.find((a) => a.startsWith('-'));
  if (option) {
    err(`gradscope: unknown option ${option}\n\n${CHECK_USAGE}`);
    return 2;
  }
  let errors = 0;
  let unreadable = false;
  for (const file of argv) {
    let found;
    try {
      found = checkNotebook(file);
    } catch (e) {
      err(`gradscope: ${(e as Error).message}`);
      unreadable = true;
      continue;
    }
    for (const { cell, diagnostic } of found) out(formatError(file, cell, diagnostic));
    errors += found.length;
  }
  if (unreadable) return 2;
  return errors ? 1 : 0;
}
