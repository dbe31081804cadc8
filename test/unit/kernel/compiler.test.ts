import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import vm from 'node:vm';
import { Notebook } from './compilerHarness';

describe('compileCell: top-level names live across cells', () => {
  test('const, let, var, destructuring, function, class and enum of one cell are visible in the next', async () => {
    const nb = new Notebook();
    await nb.run([
      'const a: number = 1;',
      'let b = 2;',
      'var c = 3;',
      'const { d, e: [f] } = { d: 4, e: [5] };',
      'function g(n: number): number { return n * 10; }',
      'class Point { constructor(public x: number, public y: number) {} norm() { return Math.hypot(this.x, this.y); } }',
      'enum Color { Red, Green = 5 }',
    ].join('\n'));
    assert.equal(await nb.run('a + b + c + d + f'), 15);
    assert.equal(await nb.run('g(4)'), 40);
    assert.equal(await nb.run('new Point(3, 4).norm()'), 5);
    assert.equal(await nb.run('Color.Green + Color.Red'), 5);
    assert.equal(await nb.run('Color[5]'), 'Green');
  });

  test('the compiled cell reports what it declares', () => {
    const nb = new Notebook();
    const cell = nb.compile([
      "import * as p from 'node:path';",
      "import def, { join as j } from 'node:path';",
      'import type { Stats } from "node:fs";',
      'export const x: Stats | number = 1;',
      'let { y, z: [w] } = { y: 1, z: [2] };',
      'function f() {}',
      'class K {}',
      'enum E { A }',
      'x;',
    ].join('\n'));
    assert.deepEqual([...cell.declared].sort(), ['E', 'K', 'def', 'f', 'j', 'p', 'w', 'x', 'y'].sort());
    assert.equal(cell.isAsync, false);
    assert.equal(cell.hasValue, true);
  });

  test('re-running a cell declares its const, let, class, function, enum and imports again', async () => {
    const nb = new Notebook();
    const cell = [
      "import * as path from 'node:path';",
      'const n = (globalThis as any).runs = ((globalThis as any).runs ?? 0) + 1;',
      'let m = n * 2;',
      'class A { v = n; }',
      'function h() { return n; }',
      'enum K { One = 1 }',
      'new A().v + h() + m',
    ].join('\n');
    assert.equal(await nb.run(cell), 4);
    assert.equal(await nb.run(cell), 8);
    assert.equal(await nb.run(cell), 12);
    assert.equal(await nb.run('path.sep.length + K.One'), 2);
  });

  test('a class defined in one cell can be extended in another and its instances keep working', async () => {
    const nb = new Notebook();
    await nb.run('class Base { hello() { return "base"; } }');
    await nb.run('class Child extends Base { override hello() { return "child of " + super.hello(); } }');
    assert.equal(await nb.run('new Child().hello()'), 'child of base');
    assert.equal(await nb.run('new Child() instanceof Base'), true);
  });

  test('a function can be called above its declaration in the same cell, sync and async', async () => {
    const nb = new Notebook();
    assert.equal(await nb.run('const r = twice(21);\nfunction twice(x: number) { return 2 * x; }\nr'), 42);
    assert.equal(await nb.run('const s = thrice(await Promise.resolve(2));\nfunction thrice(x: number) { return 3 * x; }\ns'), 6);
    assert.equal(await nb.run('thrice(twice(1))'), 6);
  });

  test('export keywords are stripped and the declarations stay', async () => {
    const nb = new Notebook();
    await nb.run('export const e1 = 1;\nexport function e2() { return 2; }\nexport class E3 { v = 3; }\nexport { e1 as renamed };');
    assert.equal(await nb.run('e1 + e2() + new E3().v'), 6);
  });

  test('TypeScript-only syntax is erased: types, interfaces, generics, casts, import type', async () => {
    const nb = new Notebook();
    const value = await nb.run([
      'import type { Stats } from "fs";',
      'interface Pair<T> { a: T; b: T }',
      'type Num = number;',
      'const p: Pair<Num> = { a: 1, b: 2 } satisfies Pair<number>;',
      'const q = <Num>(p.a as unknown) + p.b!;',
      'declare const ignored: Stats;',
      'q',
    ].join('\n'));
    assert.equal(value, 3);
  });
});

describe('compileCell: top-level await', () => {
  test('a cell with await evaluates to a Promise of its last expression', async () => {
    const nb = new Notebook();
    const cell = nb.compile('const v = await Promise.resolve(20);\nv + 1');
    assert.equal(cell.isAsync, true);
    assert.equal(cell.hasValue, true);
    const result = new vm.Script(cell.code, { filename: cell.filename }).runInContext(nb.ctx);
    assert.equal(typeof result?.then, 'function');
    assert.equal(await result, 21);
    assert.equal(nb.global('v'), 20);
  });

  test('for await at the top level works and its var lands on the global', async () => {
    const nb = new Notebook();
    const v = await nb.run([
      'async function* gen() { yield 1; yield 2; yield 3; }',
      'let total = 0;',
      'for await (const x of gen()) { total += x; var lastSeen = x; }',
      'total',
    ].join('\n'));
    assert.equal(v, 6);
    assert.equal(nb.global('lastSeen'), 3);
  });

  test('declarations before a failure stay on the global; later ones are not made', async () => {
    const nb = new Notebook();
    await assert.rejects(
      nb.run('const before = 1;\nawait null;\nlet during = 2;\nthrow new Error("halfway");\nconst after = 3;'),
      /halfway/,
    );
    assert.equal(nb.global('before'), 1);
    assert.equal(nb.global('during'), 2);
    assert.equal(nb.global('after'), undefined);
  });

  test('an async cell can be re-run and mixes with sync cells', async () => {
    const nb = new Notebook();
    const cell = 'const t = (typeof t === "number" ? t : 0) + await Promise.resolve(1);\nclass Box { v = t; }\nt';
    assert.equal(await nb.run(cell), 1);
    assert.equal(await nb.run(cell), 2);
    assert.equal(await nb.run('new Box().v * 10'), 20);
  });

  test('a cell ending in a declaration has no value; `x;` has one', async () => {
    const nb = new Notebook();
    const decl = nb.compile('const x = await Promise.resolve(5);');
    assert.equal(decl.hasValue, false);
    assert.equal(await new vm.Script(decl.code).runInContext(nb.ctx), undefined);
    const expr = nb.compile('x;');
    assert.equal(expr.hasValue, true);
    assert.equal(new vm.Script(expr.code).runInContext(nb.ctx), 5);
    assert.equal(nb.compile('let y = 1;').hasValue, false);
    assert.equal(nb.compile('function f() {}').hasValue, false);
  });
});

describe('compileCell: a cell without await is a plain script', () => {
  test('it is not wrapped: its completion value is the last expression, not a Promise', async () => {
    const nb = new Notebook();
    const cell = nb.compile('const k = 2;\nk * 21');
    assert.equal(cell.isAsync, false);
    assert.equal(new vm.Script(cell.code).runInContext(nb.ctx), 42);
    // `await` inside an async function is not top-level await.
    assert.equal(nb.compile('async function later() { await null; }').isAsync, false);
  });

  test('an endless loop can be interrupted and what the cell declared before it survives', async () => {
    const nb = new Notebook();
    const cell = nb.compile('let spins = 0;\nconst started = true;\nwhile (true) { spins++; }');
    // The watchdog behind `timeout` is the one behind `breakOnSigint`; it only stops synchronous code.
    assert.throws(() => new vm.Script(cell.code).runInContext(nb.ctx, { timeout: 50 }), /timed out/);
    assert.equal(nb.global('started'), true);
    assert.ok((nb.global('spins') as number) > 0);
    assert.equal(await nb.run('started && spins > 0'), true);
  });
});

describe('compileCell: less common statements', () => {
  test('var in loop heads, rest destructuring and export default in an async cell', async () => {
    const nb = new Notebook();
    const v = await nb.run('await null;\nfor (var i = 0; i < 3; i++) {}\nfor (var k in { a: 1 }) {}\nlet [p, ...rest] = [1, 2, 3];\nexport default i + rest.length');
    assert.equal(v, 5);
    assert.equal(await nb.run('`${i}${k}${p}`'), '3a1');
    assert.equal(typeof (await nb.run('export default function () { return 1; }')), 'function');
  });

  test('a namespace, a label and a comment-only cell', async () => {
    const nb = new Notebook();
    assert.equal(await nb.run('namespace NS { export const v = 5; }\nawait null;\nNS.v'), 5);
    assert.equal(await nb.run('outer: for (const x of [1, 2]) { for (;;) break outer; }\nNS.v + 1'), 6);
    const empty = nb.compile('// only a comment');
    assert.equal(empty.hasValue, false);
    assert.equal(empty.isAsync, false);
  });
});
