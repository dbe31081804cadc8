/**
 * A plain stack of layers in a cell, the two ways tfjs users write one: the `layers` array of
 * `tf.sequential({ layers: [...] })`, or a run of `model.add(tf.layers.x(...))` statements after
 * `const model = tf.sequential()`. Layer fixes insert and rename layers inside such a stack.
 */
import ts from 'typescript';
import { callName, findProperty, insertAfterElement, insertStatementAfter, isLayerFactory, objectArg, type SourceEdit } from './ast';

/** The layers of one model definition, in order, and how to insert a layer after one of them. */
export interface LayerStack {
  kind: 'array' | 'add';
  /** Layer factory calls, input side first. */
  layers: ts.CallExpression[];
  /** The `layers: [...]` literal (kind `array`). */
  array?: ts.ArrayLiteralExpression;
  /** The `model.add(...)` statement of each layer (kind `add`), parallel to `layers`. */
  statements?: ts.Statement[];
  /** The model variable that `add` is called on (kind `add`). */
  receiver?: string;
}

/** The stack that holds a layer factory call, or that a `tf.sequential(...)` call starts; else undefined. */
export function stackOf(sf: ts.SourceFile, call: ts.CallExpression): LayerStack | undefined {
  if (isLayerFactory(call)) {
    const p = call.parent;
    if (ts.isArrayLiteralExpression(p)) return arrayStack(p);
    if (ts.isCallExpression(p) && p.arguments[0] === call && ts.isExpressionStatement(p.parent)) {
      const name = callName(p);
      if (name?.endsWith('.add')) return addStack(p.parent, name.slice(0, -'.add'.length));
      if (name?.endsWith('.push')) return pushedArray(p, name.slice(0, -'.push'.length));
    }
    return undefined;
  }
  const name = callName(call);
  if (!name || !(name === 'sequential' || name.endsWith('.sequential'))) return undefined;
  const cfg = objectArg(call, 0);
  const layers = cfg && findProperty(cfg, 'layers');
  if (layers && ts.isArrayLiteralExpression(layers.initializer)) return arrayStack(layers.initializer);
  const decl = call.parent;
  if (!ts.isVariableDeclaration(decl) || !ts.isIdentifier(decl.name)) return undefined;
  const stmt = decl.parent?.parent;
  if (!stmt || !ts.isVariableStatement(stmt)) return undefined;
  const list = siblings(stmt);
  const first = list.slice(list.indexOf(stmt) + 1).find((s) => addedLayer(s, decl.name.getText(sf)));
  return first ? addStack(first, decl.name.getText(sf), false) : undefined;
}

function siblings(stmt: ts.Statement): readonly ts.Statement[] {
  const p = stmt.parent;
  return ts.isBlock(p) || ts.isSourceFile(p) || ts.isModuleBlock(p) ? p.statements : [stmt];
}

/**
 * The layers of an array literal; when the array is a variable (`const layers = [first]`), also the
 * layers a later `layers.push(layer)` adds (as loops that build a model do), in source order.
 */
function arrayStack(array: ts.ArrayLiteralExpression): LayerStack {
  const layers = array.elements.filter((e): e is ts.CallExpression => ts.isCallExpression(e) && isLayerFactory(e));
  const decl = array.parent;
  if (ts.isVariableDeclaration(decl) && ts.isIdentifier(decl.name)) {
    const push = `${decl.name.text}.push`;
    const visit = (n: ts.Node): void => {
      const arg = ts.isCallExpression(n) && n.pos > decl.end && callName(n) === push && ts.isExpressionStatement(n.parent) ? n.arguments[0] : undefined;
      if (arg && ts.isCallExpression(arg) && isLayerFactory(arg)) layers.push(arg);
      else ts.forEachChild(n, visit);
    };
    visit(scopeOf(decl));
  }
  return { kind: 'array', layers, array };
}

/** The stack of the array variable `name` that `push` (a `name.push(layer)` call) grows, else undefined. */
function pushedArray(push: ts.CallExpression, name: string): LayerStack | undefined {
  let array: ts.ArrayLiteralExpression | undefined;
  const visit = (n: ts.Node): void => {
    if (array) return;
    if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.name.text === name && n.initializer && ts.isArrayLiteralExpression(n.initializer)) array = n.initializer;
    else ts.forEachChild(n, visit);
  };
  visit(scopeOf(push));
  return array && arrayStack(array);
}

/**
 * The code a model's `add` calls are gathered from: the cell, or the named function, that holds
 * `stmt`. Loops, branches and callbacks inside it count, so layers added in a loop join the stack in
 * source order (the first layer of a loop-built model is not its last, output layer).
 */
function scopeOf(stmt: ts.Node): ts.Node {
  let n = stmt.parent;
  while (!ts.isSourceFile(n) && !ts.isModuleBlock(n) && !(ts.isFunctionLike(n) && !ts.isArrowFunction(n) && !ts.isFunctionExpression(n))) n = n.parent;
  return n;
}

/** The layer call of a statement `receiver.add(<layer factory call>)`, else undefined. */
function addedLayer(stmt: ts.Statement, receiver: string): ts.CallExpression | undefined {
  if (!ts.isExpressionStatement(stmt) || !ts.isCallExpression(stmt.expression)) return undefined;
  const add = stmt.expression;
  if (callName(add) !== `${receiver}.add`) return undefined;
  const arg = add.arguments[0];
  return arg && ts.isCallExpression(arg) && isLayerFactory(arg) ? arg : undefined;
}

/**
 * All `receiver.add(layer)` statements, in source order: in the scope that holds `stmt` (see
 * {@link scopeOf}) when `nested`, else in the block that holds it (the model's own statements, after
 * which a statement about the built model can go).
 */
function addStack(stmt: ts.Statement, receiver: string, nested = true): LayerStack {
  const layers: ts.CallExpression[] = [];
  const statements: ts.Statement[] = [];
  if (!nested) {
    for (const s of siblings(stmt)) {
      const layer = addedLayer(s, receiver);
      if (layer) {
        layers.push(layer);
        statements.push(s);
      }
    }
    return { kind: 'add', layers, statements, receiver };
  }
  const visit = (n: ts.Node): void => {
    const layer = ts.isStatement(n) ? addedLayer(n, receiver) : undefined;
    if (layer) {
      layers.push(layer);
      statements.push(n as ts.Statement);
    } else if (!(ts.isFunctionLike(n) && !ts.isArrowFunction(n) && !ts.isFunctionExpression(n))) {
      ts.forEachChild(n, visit);
    }
  };
  ts.forEachChild(scopeOf(stmt), visit);
  return { kind: 'add', layers, statements, receiver };
}

/** Inserts the layer expression `layerText` right after `layer` in its stack. */
export function insertLayerAfter(sf: ts.SourceFile, stack: LayerStack, layer: ts.CallExpression, layerText: string): SourceEdit {
  if (stack.kind === 'array' && stack.array!.elements.includes(layer)) return insertAfterElement(sf, stack.array!.elements, layer, layerText);
  if (stack.kind === 'array') {
    // A layer that `layers.push(layer)` added: the new one is pushed right after it.
    const push = layer.parent as ts.CallExpression;
    return insertCallAfter(sf, push.parent as ts.Statement, `${callName(push)}(${layerText})`);
  }
  return insertCallAfter(sf, stack.statements![stack.layers.indexOf(layer)], `${stack.receiver}.add(${layerText})`);
}

/** Inserts the call `callText` as a statement after `stmt`, which runs as often as `stmt` does. */
function insertCallAfter(sf: ts.SourceFile, stmt: ts.Statement, callText: string): SourceEdit {
  const p = stmt.parent;
  if (!ts.isBlock(p) && !ts.isSourceFile(p) && !ts.isModuleBlock(p) && ts.isExpressionStatement(stmt)) {
    // The body of a loop without braces: a second statement would land after the loop, so the new
    // call joins the same statement (`m.add(a), m.add(b);`) and runs at every iteration.
    const end = stmt.expression.getEnd();
    return { start: end, end, newText: `, ${callText}` };
  }
  return insertStatementAfter(sf, stmt, `${callText};`);
}

/** The factory name of a layer call: `dense` for `tf.layers.dense(...)`. */
export function factoryOf(call: ts.CallExpression): string {
  return callName(call)!.split('.').pop()!;
}

/** Factories whose layers carry weights (the ones that count as hidden or output layers). */
const WEIGHTED = new Set([
  'dense', 'conv1d', 'conv2d', 'conv3d', 'conv2dTranspose', 'separableConv2d', 'depthwiseConv2d',
  'simpleRNN', 'lstm', 'gru', 'embedding', 'seluDense',
]);

/** True for a layer with weights (Dense, Conv, recurrent, Embedding). */
export function isWeighted(call: ts.CallExpression): boolean {
  return WEIGHTED.has(factoryOf(call));
}

/** True when `layer` is the output layer of its stack: the last layer with weights. */
export function isOutputLayer(stack: LayerStack | undefined, layer: ts.CallExpression): boolean {
  if (!stack) return false;
  const weighted = stack.layers.filter(isWeighted);
  return weighted[weighted.length - 1] === layer;
}

