/**
 * Activation fixes (Géron ch. 11, "Better activation functions"): swap a saturating or dying
 * activation of the flagged hidden layers for a better one, with the initialization it needs.
 * Output layers are never touched: their activation follows from the task (sigmoid for a binary
 * classifier, softmax, linear), not from gradient health.
 */
import ts from 'typescript';
import { callAt, ensureGsImport, findProperty, layersPrefix, objectArg, quoted, removeProperty, setProperty, stringProperty, type SourceEdit } from './ast';
import { factoryOf, insertLayerAfter, isOutputLayer, stackOf, type LayerStack } from './stack';
import type { FixFn, FixTarget } from './types';

interface FlaggedLayer {
  call: ts.CallExpression;
  config: ts.ObjectLiteralExpression;
  activation: string;
  stack?: LayerStack;
}

/** The flagged hidden layers whose config literal sets one of `from` as activation. */
function flagged(sf: ts.SourceFile, target: FixTarget, from: readonly string[]): FlaggedLayer[] {
  const out: FlaggedLayer[] = [];
  for (const offset of target.layers ?? []) {
    const call = callAt(sf, offset);
    const config = call && objectArg(call, 0);
    const activation = config && stringProperty(config, 'activation');
    if (!call || !config || !activation || !from.includes(activation)) continue;
    const stack = stackOf(sf, call);
    if (isOutputLayer(stack, call)) continue;
    out.push({ call, config, activation, stack });
  }
  return out;
}

/** Initializers that already suit the new activation; any other explicit one is replaced. */
function setInitializer(sf: ts.SourceFile, config: ts.ObjectLiteralExpression, init: string, keep: readonly string[]): SourceEdit[] {
  const current = stringProperty(config, 'kernelInitializer');
  if (current !== undefined && keep.includes(current)) return [];
  return [setProperty(sf, config, 'kernelInitializer', quoted(sf, init))];
}

/**
 * relu/sigmoid/tanh → selu with `kernelInitializer: gs.layers.leCunNormal()` on the flagged layers and the other
 * hidden layers of their stack, and every `dropout` layer of that stack → `gs.layers.alphaDropout`
 * (tfjs's own `tf.layers.alphaDropout` has a sign error, see src/training/layers.ts): SELU self-normalizes only with LeCun-normal init and alpha dropout
 * (Klambauer et al. 2017), ordinary dropout breaks the fixed point of mean 0 / variance 1.
 */
export const activationSelu: FixFn = (sf, target) => {
  const from = ['relu', 'sigmoid', 'tanh'];
  const layers = flagged(sf, target, from);
  // Self-normalization holds only when every hidden layer of the stack is SELU, so the other hidden
  // layers of the flagged layers' stacks switch too.
  for (const l of [...layers]) {
    if (!l.stack) continue;
    const others = l.stack.layers.filter((c) => !layers.some((x) => x.call === c)).map((c) => c.getStart(sf));
    layers.push(...flagged(sf, { layers: others }, from));
  }
  if (!layers.length) return undefined;
  const edits: SourceEdit[] = [];
  const stacks = new Set<ts.ArrayLiteralExpression | string>();
  let gs: ReturnType<typeof ensureGsImport> | undefined;
  for (const l of layers) {
    edits.push(setProperty(sf, l.config, 'activation', quoted(sf, 'selu')));
    // tfjs's 'leCunNormal' string draws from a normal truncated at 2σ without rescaling, so its std is
    // 0.88/√fan_in and a deep SELU stack shrinks; gradscope's initializer has exactly 1/√fan_in.
    const init = findProperty(l.config, 'kernelInitializer');
    if (!init || !/\blayers\.leCunNormal\(/.test(init.initializer.getText(sf))) {
      gs ??= ensureGsImport(sf);
      edits.push(setProperty(sf, l.config, 'kernelInitializer', `${gs.name}.layers.leCunNormal()`));
    }
    if (!l.stack) continue;
    const key = l.stack.array ?? l.stack.receiver!;
    if (stacks.has(key)) continue;
    stacks.add(key);
    for (const d of l.stack.layers) {
      if (factoryOf(d) !== 'dropout') continue;
      gs ??= ensureGsImport(sf);
      edits.push({ start: d.expression.getStart(sf), end: d.expression.getEnd(), newText: `${gs.name}.layers.alphaDropout` });
    }
  }
  if (gs?.edit) edits.push(gs.edit);
  return edits;
};

/** relu → elu (no dead units: ELU has a non-zero gradient for negative inputs). */
export const activationElu: FixFn = (sf, target) => {
  const layers = flagged(sf, target, ['relu']);
  if (!layers.length) return undefined;
  return layers.map((l) => setProperty(sf, l.config, 'activation', quoted(sf, 'elu')));
};

/**
 * sigmoid/tanh → relu with He-normal initialization (Glorot suits sigmoid/tanh, He suits ReLU:
 * Géron ch. 11, table 11-1). An explicit He initializer is kept.
 */
export const activationRelu: FixFn = (sf, target) => {
  const layers = flagged(sf, target, ['sigmoid', 'tanh']);
  if (!layers.length) return undefined;
  return layers.flatMap((l) => [
    setProperty(sf, l.config, 'activation', quoted(sf, 'relu')),
    ...setInitializer(sf, l.config, 'heNormal', ['heNormal', 'heUniform']),
  ]);
};

/**
 * relu → a linear layer followed by `tf.layers.leakyReLU({ alpha: 0.2 })` (tfjs has no leaky-ReLU
 * activation string). α = 0.2, the "huge leak" that Xu et al. 2015 found to work better than 0.01.
 */
export const activationLeakyRelu: FixFn = (sf, target) => {
  const layers = flagged(sf, target, ['relu']).filter((l) => l.stack);
  if (!layers.length) return undefined;
  const leaky = (l: FlaggedLayer): string => `${layersPrefix(l.call)}.leakyReLU({ alpha: 0.2 })`;
  return layers.flatMap((l) => {
    // A separate `tf.layers.activation({ activation: 'relu' })` layer is replaced as a whole.
    if (factoryOf(l.call) === 'activation') return [{ start: l.call.getStart(sf), end: l.call.getEnd(), newText: leaky(l) }];
    const p = findProperty(l.config, 'activation')!;
    return [
      removeProperty(sf, l.config, p),
      insertLayerAfter(sf, l.stack!, l.call, leaky(l)),
    ];
  });
};
