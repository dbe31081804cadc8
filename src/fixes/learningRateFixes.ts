/**
 * Where a cell sets the learning rate, and the ÷10 and ×10 edits. The rate is looked up where it
 * takes effect: a schedule in the fit options overrides the optimizer's rate, the fit options'
 * optimizer overrides the compiled one. Optimizers given by name (`'adam'`) have tfjs-layers' defaults (optimizers.ts).
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

/** A found learning rate: its value as source text, and the edits that divide and multiply it by 10. */
export interface LearningRateSite {
  value: string;
  divide: SourceEdit;
  multiply: SourceEdit;
}

/**
 * Multiplies a numeric literal's text by 10^`by` (±1), keeping its notation: ÷10 turns `0.01` into
 * `0.001`, `3e-4` into `3e-5`, `1` into `0.1`; ×10 turns `0.001` into `0.01`, `1e-5` into `1e-4`, `5` into
 * `50`. Undefined for forms it does not rewrite (hex, separators).
 */
export function shiftBy10(text: string, by: 1 | -1): string | undefined {
  if (/[^0-9.eE+-]/.test(text)) return undefined;
  const e = text.search(/[eE]/);
  if (e >= 0) {
    const exp = Number(text.slice(e + 1)) + by;
    return exp === 0 ? text.slice(0, e) : `${text.slice(0, e + 1)}${exp}`;
  }
  const [int = '', frac = ''] = text.split('.');
  let digits = (int === '' ? '0' : int) + frac;
  let point = (int === '' ? 1 : int.length) + by;
  if (point < 1) {
    digits = '0'.repeat(1 - point) + digits;
    point = 1;
  }
  if (point > digits.length) digits += '0'.repeat(point - digits.length);
  const whole = digits.slice(0, point).replace(/^0+(?=\d)/, '') || '0';
  let fraction = digits.slice(point);
  if (!text.includes('.') || by > 0) fraction = fraction.replace(/0+$/, '');
  return fraction === '' ? whole : `${whole}.${fraction}`;
}

/** The learning-rate site of an expression that should evaluate to a rate. */
function rateSite(sf: ts.SourceFile, expr: ts.Expression): LearningRateSite {
  const value = resolveValue(sf, expr);
  if (ts.isNumericLiteral(value)) {
    const text = value.getText(sf);
    const divided = shiftBy10(text, -1);
    const multiplied = shiftBy10(text, 1);
    const at = { start: value.getStart(sf), end: value.getEnd() };
    if (divided !== undefined && multiplied !== undefined) return { value: text, divide: { ...at, newText: divided }, multiply: { ...at, newText: multiplied } };
  }
  const text = expr.getText(sf);
  const simple = ts.isIdentifier(expr) || ts.isPropertyAccessExpression(expr) || ts.isNumericLiteral(expr);
  const at = { start: expr.getStart(sf), end: expr.getEnd() };
  const operand = simple ? text : `(${text})`;
  return { value: text, divide: { ...at, newText: `${operand} / 10` }, multiply: { ...at, newText: `${operand} * 10` } };
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
    const at = { start: value.getStart(sf), end: value.getEnd() };
    return {
      value: named.lr,
      divide: { ...at, newText: `${tf}.train.${named.factory}(${shiftBy10(named.lr, -1)})` },
      multiply: { ...at, newText: `${tf}.train.${named.factory}(${shiftBy10(named.lr, 1)})` },
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
  return { value: dflt, divide: { start: at, end: at, newText: shiftBy10(dflt, -1)! }, multiply: { start: at, end: at, newText: shiftBy10(dflt, 1)! } };
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
