/**
 * Where a cell sets the learning rate, and the ÷10 edit. The rate is looked up where it takes effect:
 * a schedule in the fit options overrides the optimizer's rate, the fit options' optimizer overrides
 * the compiled one. Optimizers given by name (`'adam'`) have tfjs-layers' defaults (optimizers.ts).
 */
import ts from 'typescript';
import { callAt, callName, findProperty, namespaceImport, objectArg, resolveLocal, TFJS_MODULES, type SourceEdit } from './ast';
import { fitCall, fitOptions } from './fitCall';
import type { FixTarget } from './types';

/** Learning rates tfjs-layers uses for optimizers given by name in `model.compile`. */
export const NAMED_OPTIMIZER_LR: Record<string, { factory: string; lr: string }> = {
  sgd: { factory: 'sgd', lr: '0.01' },
  adam: { factory: 'adam', lr: '0.001' },
  adamax: { factory: 'adamax', lr: '0.002' },
  rmsprop: { factory: 'rmsprop', lr: '0.001' },
  adagrad: { factory: 'adagrad', lr: '0.01' },
  adadelta: { factory: 'adadelta', lr: '1' },
};

/** Defaults of `tf.train.x()` called without a learning rate (only these allow omitting it). */
const FACTORY_DEFAULT_LR: Record<string, string> = { adam: '0.001', adamax: '0.002', adadelta: '0.001' };

/** A found learning rate: its value as source text, and the edit that divides it by 10. */
export interface LearningRateSite {
  value: string;
  divide: SourceEdit;
}

/**
 * Divides a numeric literal's text by ten, keeping its notation: `0.01` → `0.001`, `3e-4` → `3e-5`,
 * `1` → `0.1`. Undefined for forms it does not rewrite (hex, separators).
 */
export function divideBy10(text: string): string | undefined {
  if (/[^0-9.eE+-]/.test(text)) return undefined;
  const e = text.search(/[eE]/);
  if (e >= 0) {
    const exp = Number(text.slice(e + 1)) - 1;
    return exp === 0 ? text.slice(0, e) : `${text.slice(0, e + 1)}${exp}`;
  }
  const [int = '', frac = ''] = text.split('.');
  const digits = (int === '' ? '0' : int) + frac;
  const point = (int === '' ? 1 : int.length) - 1;
  let whole = digits.slice(0, point).replace(/^0+(?=\d)/, '') || '0';
  let fraction = digits.slice(point);
  if (!text.includes('.')) fraction = fraction.replace(/0+$/, '');
  whole = whole === '' ? '0' : whole;
  return fraction === '' ? whole : `${whole}.${fraction}`;
}

/** The learning-rate site of an expression that should evaluate to a rate. */
function rateSite(sf: ts.SourceFile, expr: ts.Expression): LearningRateSite {
  const value = resolveValue(sf, expr);
  if (ts.isNumericLiteral(value)) {
    const divided = divideBy10(value.getText(sf));
    if (divided !== undefined) return { value: value.getText(sf), divide: { start: value.getStart(sf), end: value.getEnd(), newText: divided } };
  }
  const text = expr.getText(sf);
  const simple = ts.isIdentifier(expr) || ts.isPropertyAccessExpression(expr) || ts.isNumericLiteral(expr);
  return { value: text, divide: { start: expr.getStart(sf), end: expr.getEnd(), newText: simple ? `${text} / 10` : `(${text}) / 10` } };
}

/** Follows identifiers and `obj.key` to a literal declared in this cell. */
function resolveValue(sf: ts.SourceFile, expr: ts.Expression): ts.Expression {
  if (ts.isPropertyAccessExpression(expr)) {
    const obj = resolveLocal(sf, expr.expression);
    const p = ts.isObjectLiteralExpression(obj) ? findProperty(obj, expr.name.text) : undefined;
    return p ? resolveValue(sf, p.initializer) : expr;
  }
  const r = resolveLocal(sf, expr);
  return r === expr ? expr : resolveValue(sf, r);
}

/** The rate of an optimizer expression: `tf.train.adam(0.01)`, `'adam'`, `gs.optimizers.clipped(...)`. */
function optimizerSite(sf: ts.SourceFile, expr: ts.Expression): LearningRateSite | undefined {
  const value = resolveLocal(sf, expr);
  if (ts.isStringLiteralLike(value)) {
    const named = NAMED_OPTIMIZER_LR[value.text.toLowerCase()];
    if (!named) return undefined;
    const tf = namespaceImport(sf, TFJS_MODULES) ?? 'tf';
    return {
      value: named.lr,
      divide: { start: value.getStart(sf), end: value.getEnd(), newText: `${tf}.train.${named.factory}(${divideBy10(named.lr)})` },
    };
  }
  if (!ts.isCallExpression(value)) return undefined;
  const name = callName(value) ?? '';
  if (name.endsWith('optimizers.clipped') && value.arguments[0]) return optimizerSite(sf, value.arguments[0]);
  const parts = name.split('.');
  if (parts[parts.length - 2] !== 'train') return undefined;
  const lr = value.arguments[0];
  if (lr) return rateSite(sf, lr);
  const dflt = FACTORY_DEFAULT_LR[parts[parts.length - 1]];
  if (!dflt) return undefined;
  const at = value.arguments.pos;
  return { value: dflt, divide: { start: at, end: at, newText: divideBy10(dflt)! } };
}

/** The schedule's starting rate: `initial` (or `max` of oneCycle) in `gs.schedules.x({...})`. */
function scheduleSite(sf: ts.SourceFile, expr: ts.Expression): LearningRateSite | undefined {
  const value = resolveLocal(sf, expr);
  if (!ts.isCallExpression(value)) return undefined;
  const cfg = objectArg(value, 0);
  const p = cfg && (findProperty(cfg, 'initial') ?? findProperty(cfg, 'max'));
  return p ? rateSite(sf, p.initializer) : undefined;
}

/** The learning rate the run used, where the cell sets it; undefined when the cell does not show it. */
export function findLearningRate(sf: ts.SourceFile, target: FixTarget): LearningRateSite | undefined {
  const fit = fitCall(sf, target);
  const fitOpts = fit && fitOptions(sf, fit);
  const schedule = fitOpts && findProperty(fitOpts, 'schedule');
  if (schedule) return scheduleSite(sf, schedule.initializer);
  const fitOpt = fitOpts && findProperty(fitOpts, 'optimizer');
  if (fitOpt) return optimizerSite(sf, fitOpt.initializer);
  const compile = target.compile === undefined ? undefined : callAt(sf, target.compile);
  const compileOpts = compile && objectArg(compile, 0);
  const opt = compileOpts && findProperty(compileOpts, 'optimizer');
  if (opt) return optimizerSite(sf, opt.initializer);
  const lr = fitOpts && findProperty(fitOpts, 'learningRate');
  return lr ? rateSite(sf, lr.initializer) : undefined;
}
