// Shared helpers of the fix table tests (not a test file itself).
import ts from 'typescript';
import type { FixId } from '../../../src/protocol/health';
import type { FixTarget } from '../../../src/fixes/applyFix';

/** Start offset of the `nth` occurrence of `needle` in `src`. */
export function at(src: string, needle: string, nth = 0): number {
  let p = -1;
  for (let i = 0; i <= nth; i++) {
    p = src.indexOf(needle, p + 1);
    if (p < 0) throw new Error(`'${needle}' #${nth} not in source`);
  }
  return p;
}

/** One row of a fix table. */
export interface Case {
  name: string;
  fix: FixId;
  src: string;
  target: (src: string) => FixTarget;
  /** The edited cell, or undefined when the fix must not apply. */
  out: string | undefined;
}

/** TypeScript's syntactic diagnostics of a cell, as messages. */
export function syntaxErrors(text: string): string[] {
  const r = ts.transpileModule(text, {
    reportDiagnostics: true,
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  });
  return (r.diagnostics ?? []).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}
