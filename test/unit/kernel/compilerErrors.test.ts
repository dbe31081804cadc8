import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { compileCell, CellCompileError } from '../../../src/kernel/compiler';
import { Notebook, positionOf } from './compilerHarness';

function compileError(source: string): CellCompileError {
  try {
    compileCell(source, { filename: 'gradscope-cell:/1' });
  } catch (e) {
    assert.ok(e instanceof CellCompileError, `expected a CellCompileError, got ${e}`);
    return e;
  }
  throw new Error('the cell compiled');
}

describe('compileCell: compile errors point into the cell', () => {
  test('a syntax error carries esbuild message and the 1-based line and column', () => {
    const source = 'const a = 1;\nconst b = (a + ;\n';
    const e = compileError(source);
    assert.match(e.message, /Unexpected ";"/);
    assert.deepEqual({ line: e.line, column: e.column }, positionOf(source, ';', 1));
    assert.doesNotMatch(e.message, /gradscope-cell|:2:/);
  });

  test('columns count characters, not UTF-8 bytes, after non-ASCII text', () => {
    const source = 'const s = "héllo wörld ✓ 😀";\nconst t = "ü"; const = 2;';
    const e = compileError(source);
    assert.match(e.message, /Expected identifier but found "="/);
    assert.deepEqual({ line: e.line, column: e.column }, positionOf(source, '= 2'));
  });

  test('an unterminated block names the problem at the end of the cell', () => {
    const e = compileError('function f() {\n  return 1;\n');
    assert.match(e.message, /Unexpected end of file/);
    assert.equal(e.line, 3);
  });

  test('re-exports and import.meta are rejected with a clear message and location', () => {
    const reexport = compileError("const x = 1;\nexport * from 'node:path';");
    assert.match(reexport.message, /export \* from.*not supported/);
    assert.equal(reexport.line, 2);
    const named = compileError("export { join } from 'node:path';");
    assert.match(named.message, /export … from.*not supported/);
    const src = 'const a = 1;\nconst u = import.meta.url;';
    const meta = compileError(src);
    assert.match(meta.message, /import\.meta/);
    assert.deepEqual({ line: meta.line, column: meta.column }, positionOf(src, 'import.meta'));
  });

  test('bad arguments get a clear message', () => {
    assert.throws(() => compileCell(undefined as unknown as string, { filename: 'c' }), /source must be a string/);
    assert.throws(() => compileCell('1', { filename: '' }), /filename must be a non-empty string/);
  });
});

describe('compileCell: runtime error positions map back to the cell', () => {
  test('a throw in a sync cell maps to the `new` of the thrown error', async () => {
    const nb = new Notebook();
    const source = 'const a: number = 1;\nconst b: string = "x";\nif (a) {\n    throw new Error("sync");\n}';
    const { error, at } = await nb.runExpectingError(source);
    assert.equal(error.message, 'sync');
    assert.deepEqual(at, positionOf(source, 'new Error'));
  });

  test('a throw in an async cell, after an await and type annotations, maps exactly', async () => {
    const nb = new Notebook();
    const source = 'const w: Array<number> = await Promise.resolve([1, 2]);\nconst t = w.length as number;\n  throw new RangeError(`t=${t}`);';
    const { error, at } = await nb.runExpectingError(source);
    assert.equal(error.message, 't=2');
    assert.deepEqual(at, positionOf(source, 'new RangeError'));
  });

  test('an error inside a function declared in a cell maps to that cell when called from a later one', async () => {
    const nb = new Notebook();
    const lib = [
      'interface Opts { scale: number }',
      '',
      'function risky(o: Opts): number {',
      '  const doubled: number = o.scale * 2;',
      '  return (o as any).missing.field + doubled;',
      '}',
    ].join('\n');
    await nb.run(lib);
    const { error, cell, at } = await nb.runExpectingError('risky({ scale: 1 })');
    assert.match(error.message, /Cannot read properties of undefined \(reading 'field'\)/);
    assert.equal(cell, 1);
    assert.deepEqual(at, positionOf(lib, 'field'));
  });

  test('a function hoisted out of an async cell still maps to its own lines', async () => {
    const nb = new Notebook();
    const source = 'await null;\nconst q = 3;\nfunction boom(n: number): never {\n  throw new TypeError("boom " + n);\n}\nboom(q);';
    const { error, at } = await nb.runExpectingError(source);
    assert.equal(error.message, 'boom 3');
    assert.deepEqual(at, positionOf(source, 'new TypeError'));
  });

  test('after a multi-line import and a class, a ReferenceError maps to the unknown name', async () => {
    const nb = new Notebook();
    const source = [
      'import {',
      '  join,',
      '  basename as bn,',
      "} from 'node:path';",
      'class Holder<T> { constructor(readonly v: T) {} }',
      'const h = new Holder<string>(join("a", bn("/b")));',
      'console.log(h.v, notDefinedAnywhere);',
    ].join('\n');
    const { error, at } = await nb.runExpectingError(source);
    assert.match(error.message, /notDefinedAnywhere is not defined/);
    assert.deepEqual(at, positionOf(source, 'notDefinedAnywhere'));
  });

  test('an error in a class method (class turned into an expression) maps to the method line', async () => {
    const nb = new Notebook();
    const source = 'class Net {\n  private w = 1;\n  step(): void { if (this.w) throw new Error("diverged"); }\n}\nconst net = new Net();\nnet.step();';
    const { error, at } = await nb.runExpectingError(source);
    assert.equal(error.message, 'diverged');
    assert.deepEqual(at, positionOf(source, 'new Error'));
  });

  test('positions in lines the compiler added map to nothing', () => {
    const cell = compileCell('const z = await Promise.resolve(1);\nz', { filename: 'gradscope-cell:/1' });
    const wrapperLine = cell.code.split('\n').findIndex((l) => l.startsWith('(async'));
    assert.ok(wrapperLine >= 0);
    assert.equal(cell.mapPosition(wrapperLine + 1, 1), undefined);
    assert.equal(cell.mapPosition(0, 0), undefined);
  });
});
