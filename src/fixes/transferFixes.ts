/**
 * Transfer-learning fixes (Géron ch. 11, "Reusing pretrained layers"): freeze the reused lower
 * layers while the new top layers learn, then unfreeze the top ones and fine-tune them at a 10×
 * lower learning rate.
 */
import ts from 'typescript';
import { allCalls, callAt, callName, enclosingStatement, ensureGsImport, findProperty, insertStatementAfter, insertStatementBefore, objectArg, type SourceEdit } from './ast';
import { fitCall, gsContext } from './fitCall';
import { stackOf } from './stack';
import type { FixFn, FixTarget } from './types';

/** True when the cell already calls `<anything>.transfer.<fn>(...)`. */
function callsTransfer(sf: ts.SourceFile, fn: string): boolean {
  return allCalls(sf).some((c) => callName(c)?.endsWith(`.transfer.${fn}`));
}

/** The model expression: the fit call's, else the compile receiver, else the variable the model call defines. */
function modelName(sf: ts.SourceFile, target: FixTarget): string | undefined {
  const fit = fitCall(sf, target);
  if (fit) return fit.model;
  const compile = target.compile === undefined ? undefined : callAt(sf, target.compile);
  if (compile && ts.isPropertyAccessExpression(compile.expression)) return compile.expression.expression.getText(sf);
  const model = target.model === undefined ? undefined : callAt(sf, target.model);
  const decl = model?.parent;
  return decl && ts.isVariableDeclaration(decl) ? decl.name.getText(sf) : undefined;
}

/** The `upTo` of the cell's `gs.transfer.reuse(base, { upTo })`, else the target's, as source text. */
function upToText(sf: ts.SourceFile, target: FixTarget): string | undefined {
  for (const c of allCalls(sf)) {
    if (!callName(c)?.endsWith('.transfer.reuse')) continue;
    const p = objectArg(c, 1) && findProperty(objectArg(c, 1)!, 'upTo');
    if (p) return p.initializer.getText(sf);
  }
  if (target.upTo === undefined) return undefined;
  return typeof target.upTo === 'number' ? String(target.upTo) : JSON.stringify(target.upTo);
}

/**
 * Where to insert a statement that must run after the model is built and before training: before
 * the compile statement (tfjs collects the trainable weights at compile time), else after the model
 * definition and its `model.add(...)` run, else before the fit statement.
 */
function afterModelIsBuilt(sf: ts.SourceFile, target: FixTarget, text: string): SourceEdit | undefined {
  const compile = target.compile === undefined ? undefined : callAt(sf, target.compile);
  const compileStmt = compile && enclosingStatement(compile);
  if (compileStmt) return insertStatementBefore(sf, compileStmt, text);
  const model = target.model === undefined ? undefined : callAt(sf, target.model);
  if (model) {
    const stack = stackOf(sf, model);
    const last = stack?.statements?.[stack.statements.length - 1] ?? enclosingStatement(model);
    if (last) return insertStatementAfter(sf, last, text);
  }
  const fit = fitCall(sf, target);
  const fitStmt = fit && enclosingStatement(fit.call);
  return fitStmt ? insertStatementBefore(sf, fitStmt, text) : undefined;
}

function gsImport(sf: ts.SourceFile): { edits: SourceEdit[]; gs: string } {
  const { name, edit } = ensureGsImport(sf);
  return { edits: edit ? [edit] : [], gs: name };
}

/** `gs.transfer.freeze(model, { upTo })` for the reused base, before the model is compiled/trained. */
export const freezeBase: FixFn = (sf, target) => {
  if (callsTransfer(sf, 'freeze')) return undefined;
  const model = modelName(sf, target);
  const upTo = upToText(sf, target);
  if (!model || upTo === undefined) return undefined;
  const fit = fitCall(sf, target);
  const { edits, gs } = fit ? gsContext(sf, fit, false) : gsImport(sf);
  const insert = afterModelIsBuilt(sf, target, `${gs}.transfer.freeze(${model}, { upTo: ${upTo} });`);
  return insert ? [...edits, insert] : undefined;
};

/**
 * `gs.transfer.fineTune(model, { top: 2, lrFactor: 0.1 })` before the fit statement: unfreezes the
 * top two layers and recompiles with a new optimizer at a tenth of the learning rate.
 */
export const fineTuneTop: FixFn = (sf, target) => {
  if (callsTransfer(sf, 'fineTune')) return undefined;
  const fit = fitCall(sf, target);
  const stmt = fit && enclosingStatement(fit.call);
  if (!fit || !stmt) return undefined;
  const { edits, gs } = gsContext(sf, fit, false);
  return [...edits, insertStatementBefore(sf, stmt, `${gs}.transfer.fineTune(${fit.model}, { top: 2, lrFactor: 0.1 });`)];
};
