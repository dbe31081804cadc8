// A small stand-in for the kernel's vm context, so the compiler tests run compiled cells the way the
// kernel does: one persistent context, cells run in sequence, `__gs_require`/`__gs_import`/`__gs_resume` globals.
import vm from 'node:vm';
import { createRequire } from 'node:module';
import { compileCell, type CompiledCell } from '../../../src/kernel/compiler';

const nodeRequire = createRequire(import.meta.url);

/** A persistent context; `modules` are served by `__gs_require`/`__gs_import` before Node's own. */
export class Notebook {
  readonly ctx: vm.Context;
  readonly cells: CompiledCell[] = [];
  readonly required: string[] = [];

  constructor(modules: Record<string, unknown> = {}) {
    const load = (spec: string) => {
      this.required.push(spec);
      return spec in modules ? modules[spec] : nodeRequire(spec);
    };
    this.ctx = vm.createContext({
      __gs_require: load,
      __gs_import: async (spec: string) => load(spec),
      __gs_resume: <T>(value: T): T => value,
      console,
    });
  }

  /** Compiles and runs one cell; resolves to the completion value (awaited for an async cell). */
  async run(source: string): Promise<unknown> {
    const cell = this.compile(source);
    const value = new vm.Script(cell.code, { filename: cell.filename }).runInContext(this.ctx, { breakOnSigint: true });
    return cell.isAsync ? await value : value;
  }

  /** Compiles the next cell (filename `gradscope-cell:/N`) without running it. */
  compile(source: string): CompiledCell {
    const cell = compileCell(source, { filename: `gradscope-cell:/${this.cells.length + 1}` });
    this.cells.push(cell);
    return cell;
  }

  /** Reads a global of the context. */
  global(name: string): unknown {
    return vm.runInContext(`typeof ${name} === 'undefined' ? undefined : ${name}`, this.ctx);
  }

  /** Runs `source`, expects it to throw, and returns the error with its innermost cell frame mapped. */
  async runExpectingError(source: string): Promise<{ error: Error; cell: number; at: { line: number; column: number } | undefined }> {
    try {
      await this.run(source);
    } catch (e) {
      const error = e as Error;
      const m = /gradscope-cell:\/(\d+):(\d+):(\d+)/.exec(error.stack ?? '');
      if (!m) return { error, cell: 0, at: undefined };
      const cell = Number(m[1]);
      return { error, cell, at: this.cells[cell - 1].mapPosition(Number(m[2]), Number(m[3])) };
    }
    throw new Error('the cell did not throw');
  }
}

/** 1-based line and column of the first occurrence of `needle` in `source` (the user's view). */
export function positionOf(source: string, needle: string, nth = 0): { line: number; column: number } {
  let index = -1;
  for (let i = 0; i <= nth; i++) {
    index = source.indexOf(needle, index + 1);
    if (index < 0) throw new Error(`${needle} not in the source`);
  }
  const before = source.slice(0, index).split('\n');
  return { line: before.length, column: before[before.length - 1].length + 1 };
}
