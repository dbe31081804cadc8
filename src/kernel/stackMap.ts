/**
 * Rewrites V8 stack traces of errors thrown by cell code so that they point at the user's cells:
 * `at fit (gradscope-cell:/3:12:7)` becomes `at fit (Cell 3, line 4, column 7)` through the cell's
 * source map, frames of Node's internals, of `vm` and of the kernel itself are dropped, and frames in
 * libraries are shortened to `package/path:line:col`.
 *
 * ```ts
 * const { text, frames } = mapStack(error.stack ?? '', (f) => cells.get(f), { kernelDir: __dirname });
 * // text: "Error: boom\n    at train (Cell 2, line 5, column 11)"; frames[0]: { cellLabel: 'Cell 2', line: 5, … }
 * ```
 */

import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CompiledCell } from './compiler';

/** A stack frame that lies in a cell, in the cell's own coordinates (1-based). */
export interface CellFrame { cellLabel: string; filename: string; line: number; column: number; functionName?: string }

/** Finds the compiled cell of a virtual file name, with the label to show (e.g. `Cell 3`). */
export type CellLookup = (filename: string) => { label: string; cell: CompiledCell } | undefined;

/** Options of {@link mapStack}. */
export interface MapStackArgs {
  /** Frames in files under this directory are the kernel's own and are dropped. Defaults to none. */
  kernelDir?: string;
}

/** The parts of one `    at …` line. */
interface ParsedFrame {
  indent: string;
  isAsync: boolean;
  /** Function name as V8 printed it (`Foo.bar`, `new Foo`, `fn [as alias]`), if any. */
  name?: string;
  /** What stood in the parentheses (or after `at ` when there were none). */
  location: string;
}

const FRAME = /^(\s*)at (.*)$/;
const POSITION = /^(.*):(\d+):(\d+)$/;

/**
 * Rewrites a V8 `error.stack`: frames in cells become `at fn (Cell 3, line 4, column 7)`,
 * node:internal, vm and kernel-internal frames (any file under `kernelDir`) are dropped, library frames
 * (node_modules) are kept shortened to `package/relative/path:line:col`. Returns the rewritten text
 * (the lines before the first frame, `Name: message`, unchanged) and the mapped cell frames, innermost first.
 */
export function mapStack(stack: string, lookup: CellLookup, options: MapStackArgs = {}): { text: string; frames: CellFrame[] } {
  if (typeof stack !== 'string') return { text: String(stack ?? ''), frames: [] };
  const kernelDir = options.kernelDir ? path.resolve(options.kernelDir) : undefined;
  const frames: CellFrame[] = [];
  const out: string[] = [];
  let inFrames = false;
  for (const line of dropSourceArrow(stack.split('\n'))) {
    const parsed = inFrames || FRAME.test(line) ? parseFrame(line) : undefined;
    if (!parsed) { out.push(line); continue; }
    inFrames = true;
    const rewritten = rewriteFrame(parsed, lookup, kernelDir, frames);
    if (rewritten !== null) out.push(rewritten ?? line);
  }
  return { text: out.join('\n'), frames };
}

/**
 * Node's `displayErrors` puts the failing line of the *compiled* code above the message
 * (`file:3`, the code, `^^^`, a blank line); it would show the user code they never wrote.
 */
function dropSourceArrow(lines: string[]): string[] {
  const arrow = lines.length > 4 && /^\S.*:\d+$/.test(lines[0]) && /^\s*\^+\s*$/.test(lines[2]) && lines[3] === '';
  return arrow ? lines.slice(4) : lines;
}

/** Splits `    at [async] name (location)` / `    at location`; undefined for a line that is not a frame. */
function parseFrame(line: string): ParsedFrame | undefined {
  const m = FRAME.exec(line);
  if (!m) return undefined;
  const indent = m[1];
  let rest = m[2];
  const isAsync = rest.startsWith('async ');
  if (isAsync) rest = rest.slice('async '.length);
  if (rest.endsWith(')')) {
    // The location is the last balanced parenthesis group (eval frames nest parentheses in it).
    let depth = 0;
    for (let i = rest.length - 1; i >= 0; i--) {
      if (rest[i] === ')') depth++;
      else if (rest[i] === '(' && --depth === 0) {
        const name = rest.slice(0, i).trimEnd();
        if (name) return { indent, isAsync, name, location: rest.slice(i + 1, -1) };
        break;
      }
    }
  }
  return { indent, isAsync, location: rest };
}

/** The frame's new text, `null` to drop it, or undefined to keep the line unchanged. */
function rewriteFrame(f: ParsedFrame, lookup: CellLookup, kernelDir: string | undefined, frames: CellFrame[]): string | null | undefined {
  const prefix = `${f.indent}at ${f.isAsync ? 'async ' : ''}`;
  const withName = (loc: string) => (f.name ? `${prefix}${f.name} (${loc})` : `${prefix}${loc}`);

  if (f.location.startsWith('eval at ')) {
    // `eval at fn (file:1:2), <anonymous>:3:4`: map the origin if it is a cell, keep the rest.
    const mapped = f.location.replace(/\(([^()]*):(\d+):(\d+)\)/g, (whole, file: string, l: string, c: string) => {
      const hit = mapCellPosition(file, Number(l), Number(c), lookup);
      return hit ? `(${hit.label}, line ${hit.at.line}, column ${hit.at.column})` : whole;
    });
    return withName(mapped);
  }
  const pos = POSITION.exec(f.location);
  if (!pos) return undefined; // `native`, `<anonymous>`, `index 0`: nothing to map
  const [, file, lineText, colText] = pos;
  const line = Number(lineText);
  const column = Number(colText);

  const entry = lookup(file);
  if (entry) {
    const at = entry.cell.mapPosition(line, column);
    if (!at) return null; // code the compiler added around the cell (the async wrapper)
    const functionName = f.name ? f.name.replace(/^new /, '') : undefined;
    frames.push({ cellLabel: entry.label, filename: file, line: at.line, column: at.column, ...(functionName ? { functionName } : {}) });
    return withName(`${entry.label}, line ${at.line}, column ${at.column}`);
  }
  // node:async_hooks: the AsyncLocalStorage.run the kernel runs every cell in.
  if (file.startsWith('node:internal/') || file === 'node:vm' || file === 'node:async_hooks' || file.startsWith('evalmachine.')) return null;
  const filePath = toPath(file);
  if (kernelDir && filePath && isInside(filePath, kernelDir)) return null;
  if (filePath) {
    const i = filePath.replace(/\\/g, '/').lastIndexOf('/node_modules/');
    if (i >= 0) return withName(`${filePath.replace(/\\/g, '/').slice(i + '/node_modules/'.length)}:${line}:${column}`);
  }
  return undefined;
}

/** A cell position mapped through the cell's source map, or undefined. */
function mapCellPosition(file: string, line: number, column: number, lookup: CellLookup) {
  const entry = lookup(file);
  const at = entry?.cell.mapPosition(line, column);
  return entry && at ? { label: entry.label, at } : undefined;
}

/** A file system path for a frame's file (`/a/b.js`, `C:\a\b.js`, `file:///a/b.js`), else undefined. */
function toPath(file: string): string | undefined {
  if (file.startsWith('file://')) {
    try { return fileURLToPath(file); } catch { return undefined; }
  }
  return path.isAbsolute(file) || /^[A-Za-z]:[\\/]/.test(file) ? file : undefined;
}

function isInside(file: string, dir: string): boolean {
  const rel = path.relative(dir, path.resolve(file));
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}
