/**
 * The cell compiler: turns the TypeScript of one notebook cell into a JavaScript script for the
 * kernel's global context (every cell runs in the kernel process's own one). esbuild strips the types; {@link rewriteCell} makes the cell's
 * top-level names globals that later cells see and that a re-run can declare again; the two source
 * maps are composed so that a stack frame in the script maps back to the cell's line and column.
 *
 * ```ts
 * const cell = compileCell('const x: number = await Promise.resolve(41);\nx + 1', { filename: 'gradscope-cell:/1' });
 * const value = await new vm.Script(cell.code, { filename: cell.filename }).runInThisContext(); // 42
 * ```
 */

import { transformSync, type Message } from 'esbuild';
import * as acorn from 'acorn';
import { TraceMap, traceSegment } from '@jridgewell/trace-mapping';
import { rewriteCell, RewriteError } from './compileRewrite';

/** A cell compiled for the kernel. */
export interface CompiledCell {
  /** JavaScript for `new vm.Script(code, { filename }).runInThisContext({ breakOnSigint: true })`: every cell runs in the kernel's own global context. */
  code: string;
  /** The virtual file name passed in (e.g. `gradscope-cell:/3`), used in stack frames. */
  filename: string;
  /** True when the cell uses top-level await: then running `code` evaluates to a Promise of the last expression's value. */
  isAsync: boolean;
  /** True when the cell ends in an expression statement whose value the kernel should display (`x;` is one). */
  hasValue: boolean;
  /** Top-level names the cell declares (variables incl. destructured, functions, classes, import bindings, enums). */
  declared: string[];
  /** Maps a position in `code` (1-based line, 1-based column, as V8 stack frames print them) to the cell source (1-based line and column), or undefined. */
  mapPosition(line: number, column: number): { line: number; column: number } | undefined;
}

/** A cell that does not compile. The message has no location; `line` and `column` are 1-based, in the cell source. */
export class CellCompileError extends Error {
  constructor(message: string, readonly line: number, readonly column: number) {
    super(message);
    this.name = 'CellCompileError';
  }
}

/** Options of {@link compileCell}. */
export interface CompileCellArgs {
  /** The virtual file name of the cell, e.g. `gradscope-cell:/3`. Required. */
  filename: string;
}

type Segment = readonly number[];

/**
 * Compiles one cell. Throws {@link CellCompileError} for a syntax error (esbuild's message, located
 * in the cell) and for module syntax a cell cannot have (`export … from`, `import.meta`).
 */
export function compileCell(source: string, options: CompileCellArgs): CompiledCell {
  if (typeof source !== 'string') throw new TypeError(`compileCell: source must be a string, got ${typeof source}`);
  if (!options || typeof options.filename !== 'string' || options.filename === '') {
    throw new TypeError('compileCell: options.filename must be a non-empty string');
  }
  const { filename } = options;
  let js: string;
  let esbuildMap: TraceMap;
  try {
    const out = transformSync(source, {
      loader: 'ts',
      target: 'es2022',
      sourcemap: 'external',
      sourcefile: filename,
      // Keep imports that look unused: a notebook imports in one cell and uses the names in the next.
      tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: true } },
    });
    js = out.code;
    esbuildMap = new TraceMap(out.map);
  } catch (e) {
    const first = (e as { errors?: Message[] }).errors?.[0];
    if (!first) throw e;
    const loc = first.location;
    throw new CellCompileError(first.text, loc?.line ?? 1, loc ? utf16Column(loc.lineText, loc.column) + 1 : 1);
  }

  // esbuild folds a trailing constant like `'a' + 'b'` to a string and drops the statement; put it back
  // (as plain JavaScript, which such a constant is) so the cell shows its value.
  const dropped = droppedConstant(source, js);
  if (dropped !== undefined) js = `${js.replace(/\s*$/, '')}\n${dropped};\n`;

  const jsLines = js.split('\n');
  const sourceLines = source.split('\n');
  const toSource = (line0: number, col0: number): { line: number; column: number } | undefined => {
    const seg = traceSegment(esbuildMap, line0, col0) as Segment | null;
    if (!seg || seg.length < 4) return undefined;
    // esbuild maps tokens, not characters: inside a token that esbuild copied verbatim, step by the offset.
    const delta = col0 - seg[0];
    const genLine = jsLines[line0] ?? '';
    const srcLine = sourceLines[seg[2]] ?? '';
    const same = delta > 0 && genLine.slice(seg[0], col0) === srcLine.slice(seg[3], seg[3] + delta);
    return { line: seg[2] + 1, column: seg[3] + (same ? delta : 0) + 1 };
  };

  let rewritten;
  try {
    rewritten = rewriteCell(js);
  } catch (e) {
    if (!(e instanceof RewriteError)) throw e;
    const { line, column } = offsetToLineCol(js, e.offset);
    const at = toSource(line - 1, column - 1) ?? { line: 1, column: 1 };
    throw new CellCompileError(e.message, at.line, at.column);
  }
  const { magic, isAsync, hasValue, declared } = rewritten;
  const code = magic.toString();
  const rewriteMap = new TraceMap(magic.generateMap({ hires: true, source: 'esbuild.js', includeContent: false }) as never);

  return {
    code, filename, isAsync, hasValue, declared,
    mapPosition(line, column) {
      if (!Number.isInteger(line) || !Number.isInteger(column) || line < 1 || column < 1) return undefined;
      const seg = traceSegment(rewriteMap, line - 1, column - 1) as Segment | null;
      if (!seg || seg.length < 4) return undefined;
      // hires maps every character the rewrite kept; a position in inserted text maps to the last kept one.
      return toSource(seg[2], seg[3]);
    },
  };
}

/** 1-based line and column of a UTF-16 offset. */
function offsetToLineCol(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

/** esbuild reports columns in UTF-8 bytes; V8 and editors count UTF-16 code units. */
function utf16Column(lineText: string, byteColumn: number): number {
  const bytes = Buffer.from(lineText, 'utf8');
  return bytes.subarray(0, byteColumn).toString('utf8').length;
}

/** Lines from the end of a cell searched for a trailing constant expression. */
const CONSTANT_SEARCH_LINES = 20;

/**
 * The cell's trailing expression when it is a constant that esbuild folds away (string and number
 * literals joined by `+`, templates of such), and esbuild's output `js` does not end with it.
 */
function droppedConstant(source: string, js: string): string | undefined {
  const trimmed = source.replace(/[\s;]+$/, '');
  const lastChar = trimmed[trimmed.length - 1];
  if (lastChar !== "'" && lastChar !== '"' && lastChar !== '`' && lastChar !== ')' && !/[0-9]/.test(lastChar ?? '')) return undefined;
  let best: string | undefined;
  let lines = 0;
  for (let i = trimmed.length - 1; i >= -1 && lines <= CONSTANT_SEARCH_LINES; i--) {
    if (i >= 0 && trimmed[i] !== '\n' && trimmed[i] !== ';') continue;
    if (i >= 0 && trimmed[i] === '\n') lines++;
    try {
      const e = acorn.parseExpressionAt(trimmed, i + 1, { ecmaVersion: 'latest' }) as acorn.Node & { type: string };
      if (e.end === trimmed.length && isFoldedConstant(e)) best = trimmed.slice(e.start, e.end);
    } catch {
      // not an expression from here
    }
  }
  if (best === undefined) return undefined;
  // Only when esbuild really dropped it: a kept constant (a number sum) is the output's last statement already.
  const out = js.replace(/[\s;]+$/, '');
  if (/^[\d\s+.()]+$/.test(best) || out.endsWith(best)) return undefined;
  return best;
}

/** A string constant esbuild folds: literals joined by `+` (one of them a string), or a template of them. */
function isFoldedConstant(node: unknown): boolean {
  const n = node as { type: string; value?: unknown; operator?: string; left?: unknown; right?: unknown; expressions?: unknown[] };
  switch (n.type) {
    case 'Literal':
      return typeof n.value === 'string' || typeof n.value === 'number';
    case 'BinaryExpression':
      return n.operator === '+' && isFoldedConstant(n.left) && isFoldedConstant(n.right);
    case 'TemplateLiteral':
      return (n.expressions ?? []).every(isFoldedConstant);
    default:
      return false;
  }
}
