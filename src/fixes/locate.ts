/**
 * From a call site recorded at run time to the call expression in the cell as it is now. The kernel
 * records (line, column) through the cell's source map; V8 may put the column on the callee's last
 * name (`dense` of `tf.layers.dense`) or on the start of the expression, so the call is the innermost
 * one around that point with the recorded name. When the cell was edited since the run, the same call
 * is found again by the AST (same callee and same explicit `name:`, else the same rank among the calls
 * of that callee) — or not at all: a dropped lens is better than one on the wrong line.
 */
import ts from 'typescript';
import type { SourceLocation } from '../protocol/health';
import { allCalls, callName, isLayerFactory, objectArg, parse, stringProperty } from './ast';

/** The last segment of a dotted call name: `dense` for `tf.layers.dense`. */
function lastName(name: string): string {
  return name.slice(name.lastIndexOf('.') + 1);
}

/** 0-based offset of a 1-based (line, column), or undefined when it lies outside the text. */
export function offsetOf(text: string, line: number, column: number): number | undefined {
  if (!Number.isInteger(line) || !Number.isInteger(column) || line < 1 || column < 1) return undefined;
  let start = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf('\n', start);
    if (nl < 0) return undefined;
    start = nl + 1;
  }
  const end = text.indexOf('\n', start);
  const lineEnd = end < 0 ? text.length : end;
  return start + column - 1 <= lineEnd ? start + column - 1 : undefined;
}

/** The call that a recorded location points at in `text` (the innermost around it with the recorded name). */
function callAtLocation(sf: ts.SourceFile, loc: SourceLocation): ts.CallExpression | undefined {
  const at = offsetOf(sf.text, loc.line, loc.column);
  if (at === undefined) return undefined;
  const around = allCalls(sf).filter((c) => c.getStart(sf) <= at && at < c.getEnd());
  // allCalls is in pre-order, so later entries are nested deeper.
  around.reverse();
  const want = lastName(loc.call);
  const exact = around.find((c) => {
    const n = callName(c);
    return n !== undefined && lastName(n) === want;
  });
  if (exact) return exact;
  // Layers made through a helper (gs.layers.seluDense calls tf.layers.dense) are recorded at the
  // helper's call, under the tfjs factory's name.
  return loc.call.includes('.layers.') ? around.find(isLayerFactory) : undefined;
}

/** Identity of a call that survives edits elsewhere in the cell. */
interface CallKey {
  name: string;
  layerName?: string;
  rank: number;
}

function keyOf(sf: ts.SourceFile, call: ts.CallExpression): CallKey {
  const name = callName(call)!;
  const cfg = objectArg(call, 0);
  const layerName = cfg && stringProperty(cfg, 'name');
  const same = allCalls(sf).filter((c) => callName(c) === name);
  return { name, layerName, rank: same.indexOf(call) };
}

/**
 * Finds the call recorded at `loc` in the cell's current text. `runText` is the cell's text when the
 * run started (from the findings report); when it equals `nowText` the recorded position is used as
 * it is. Returns the call expression's start offset in `nowText` and its end, or undefined when the
 * call is gone or cannot be told apart from others.
 */
export function locate(loc: SourceLocation, runText: string | undefined, nowText: string): { start: number; end: number } | undefined {
  const now = parse(nowText);
  if (runText === undefined || runText === nowText) {
    const call = callAtLocation(now, loc);
    return call && { start: call.getStart(now), end: call.getEnd() };
  }
  const before = parse(runText);
  const old = callAtLocation(before, loc);
  if (!old || callName(old) === undefined) return undefined;
  const key = keyOf(before, old);
  const candidates = allCalls(now).filter((c) => callName(c) === key.name);
  let found: ts.CallExpression | undefined;
  if (key.layerName !== undefined) {
    const named = candidates.filter((c) => {
      const cfg = objectArg(c, 0);
      return cfg !== undefined && stringProperty(cfg, 'name') === key.layerName;
    });
    found = named.length === 1 ? named[0] : undefined;
  } else {
    // Ranks only mean the same thing when no call of that kind was added or removed.
    const total = allCalls(before).filter((c) => callName(c) === key.name).length;
    found = candidates.length === total ? candidates[key.rank] : undefined;
  }
  return found && { start: found.getStart(now), end: found.getEnd() };
}
