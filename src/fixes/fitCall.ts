/**
 * The training call of a cell and its options object: `gs.fit(model, x, y, opts)`,
 * `gs.fitDataset(model, ds, opts)`, or tfjs's `model.fit(x, y, opts)` / `model.fitDataset(ds, opts)`.
 * Fit fixes add or change options there, switching a tfjs call to `gs.fit` when the option exists only
 * in gradscope (tfjs optimizers silently ignore `clipnorm`).
 */
import ts from 'typescript';
import {
  appendToList, callAt, callName, ensureGsImport, findProperty, hasKey, namespaceImport, resolveLocal,
  setProperty, type SourceEdit,
} from './ast';
import type { FixTarget } from './types';

/** A located training call. */
export interface FitCall {
  call: ts.CallExpression;
  /** `gs` for the gradscope loop, `tfjs` for `model.fit`/`model.fitDataset`. */
  kind: 'gs' | 'tfjs';
  /** `fit` or `fitDataset`. */
  method: 'fit' | 'fitDataset';
  /** Source text of the model expression. */
  model: string;
  /** The training data expression (`x`), absent for fitDataset. */
  x?: ts.Expression;
  /** Index of the options argument. */
  optionsIndex: number;
}

/** The training call at `target.fit`, else undefined. */
export function fitCall(sf: ts.SourceFile, target: FixTarget): FitCall | undefined {
  if (target.fit === undefined) return undefined;
  const call = callAt(sf, target.fit);
  const name = call && callName(call);
  if (!call || !name || !ts.isPropertyAccessExpression(call.expression)) return undefined;
  const method = call.expression.name.text;
  if (method !== 'fit' && method !== 'fitDataset') return undefined;
  const receiver = call.expression.expression;
  const gsName = namespaceImport(sf, ['gradscope']) ?? 'gs';
  if (ts.isIdentifier(receiver) && receiver.text === gsName) {
    const model = call.arguments[0];
    if (!model) return undefined;
    return { call, kind: 'gs', method, model: model.getText(sf), x: method === 'fit' ? call.arguments[1] : undefined, optionsIndex: method === 'fit' ? 3 : 2 };
  }
  return { call, kind: 'tfjs', method, model: receiver.getText(sf), x: method === 'fit' ? call.arguments[0] : undefined, optionsIndex: method === 'fit' ? 2 : 1 };
}

/** The options object literal of a training call (followed through a local `const opts = {...}`). */
export function fitOptions(sf: ts.SourceFile, fit: FitCall): ts.ObjectLiteralExpression | undefined {
  const arg = fit.call.arguments[fit.optionsIndex];
  if (!arg) return undefined;
  const value = resolveLocal(sf, arg);
  return ts.isObjectLiteralExpression(value) ? value : undefined;
}

/** Edits that turn `model.fit(x, y, a)` into `gs.fit(model, x, y, a)` (adding the import if needed). */
export function switchToGsEdits(sf: ts.SourceFile, fit: FitCall): { edits: SourceEdit[]; gs: string } {
  const { name, edit } = ensureGsImport(sf);
  const callee = fit.call.expression;
  const edits: SourceEdit[] = [{ start: callee.getStart(sf), end: callee.getEnd(), newText: `${name}.${fit.method}` }];
  const first = fit.call.arguments[0];
  if (first) edits.push({ start: first.getStart(sf), end: first.getStart(sf), newText: `${fit.model}, ` });
  else edits.push({ start: fit.call.arguments.pos, end: fit.call.arguments.pos, newText: fit.model });
  if (edit) edits.push(edit);
  return { edits, gs: name };
}

/** The gradscope namespace for option values, and the edits that make it (and gs.fit) available. */
export function gsContext(sf: ts.SourceFile, fit: FitCall, needsGsFit: boolean): { edits: SourceEdit[]; gs: string } {
  if (fit.kind === 'tfjs' && needsGsFit) return switchToGsEdits(sf, fit);
  // A gs.fit call already names the namespace (maybe imported by an earlier cell).
  if (fit.kind === 'gs') return { edits: [], gs: (fit.call.expression as ts.PropertyAccessExpression).expression.getText(sf) };
  const { name, edit } = ensureGsImport(sf);
  return { edits: edit ? [edit] : [], gs: name };
}

/**
 * Sets one option of the training call: replaces its value, adds the key to the options literal, or
 * adds an options argument `{ key: value }` when the call has none. Undefined when the value is already
 * there or the options are not a literal the fix can see.
 */
export function setFitOption(sf: ts.SourceFile, fit: FitCall, key: string, value: string): SourceEdit | undefined {
  const opts = fitOptions(sf, fit);
  if (opts) {
    const p = findProperty(opts, key);
    if (p && p.initializer.getText(sf) === value) return undefined;
    if (!p && hasKey(opts, key)) return undefined;
    return setProperty(sf, opts, key, value);
  }
  if (fit.call.arguments.length !== fit.optionsIndex) return undefined;
  return appendToList(sf, fit.call.arguments, fit.call, `{ ${key}: ${value} }`);
}

/** True when the training call gets validation data (so `val_loss` exists to monitor). */
export function hasValidation(sf: ts.SourceFile, fit: FitCall): boolean {
  const opts = fitOptions(sf, fit);
  return opts !== undefined && (hasKey(opts, 'validationData') || hasKey(opts, 'validationSplit'));
}

/**
 * Adds a callback expression to the `callbacks` option: appends to an array literal, wraps a single
 * callback into `[existing, new]`, or creates `callbacks: [new]`. Undefined when a callback made by
 * `factory` is already in the array.
 */
export function addCallback(sf: ts.SourceFile, fit: FitCall, callbackText: string, factory: string): SourceEdit | undefined {
  const opts = fitOptions(sf, fit);
  const p = opts && findProperty(opts, 'callbacks');
  if (p) {
    const list = resolveLocal(sf, p.initializer);
    if (ts.isArrayLiteralExpression(list)) {
      const exists = list.elements.some((e) => ts.isCallExpression(e) && callName(e)?.endsWith(`.${factory}`));
      return exists ? undefined : appendToList(sf, list.elements, list, callbackText);
    }
    if (ts.isCallExpression(p.initializer) && callName(p.initializer)?.endsWith(`.${factory}`)) return undefined;
    return { start: p.initializer.getStart(sf), end: p.initializer.getEnd(), newText: `[${p.initializer.getText(sf)}, ${callbackText}]` };
  }
  return setFitOption(sf, fit, 'callbacks', `[${callbackText}]`);
}
