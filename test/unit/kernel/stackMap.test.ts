import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { mapStack, type CellLookup } from '../../../src/kernel/stackMap';
import { Notebook, positionOf } from './compilerHarness';

// The harness that runs the cells plays the kernel: its directory is the kernel's.
const kernelDir = path.dirname(fileURLToPath(import.meta.url));

function lookupOf(nb: Notebook): CellLookup {
  return (filename) => {
    const i = nb.cells.findIndex((c) => c.filename === filename);
    return i < 0 ? undefined : { label: `Cell ${i + 1}`, cell: nb.cells[i] };
  };
}

async function stackOf(nb: Notebook, source: string): Promise<string> {
  const { error } = await nb.runExpectingError(source);
  return error.stack ?? '';
}

function frameLines(text: string): string[] {
  return text.split('\n').filter((l) => /^\s+at /.test(l));
}

describe('mapStack with errors thrown from compiled cells', () => {
  test('cell frames are mapped, vm and kernel frames dropped, the message line kept', async () => {
    const nb = new Notebook();
    const source = 'class Foo {\n  constructor(n: number) { throw new Error(`bad ${n}`); }\n}\nconst made = new Foo(3);';
    const stack = await stackOf(nb, source);
    const { text, frames } = mapStack(stack, lookupOf(nb), { kernelDir });
    const lines = text.split('\n');
    assert.equal(lines[0], 'Error: bad 3');
    const ctor = positionOf(source, 'new Error');
    const call = positionOf(source, 'new Foo');
    assert.equal(lines[1], `    at new Foo (Cell 1, line ${ctor.line}, column ${ctor.column})`);
    assert.equal(lines[2], `    at Cell 1, line ${call.line}, column ${call.column}`);
    assert.deepEqual(frames, [
      { cellLabel: 'Cell 1', filename: 'gradscope-cell:/1', line: ctor.line, column: ctor.column, functionName: 'Foo' },
      { cellLabel: 'Cell 1', filename: 'gradscope-cell:/1', line: call.line, column: call.column },
    ]);
    assert.doesNotMatch(text, /node:vm|node:internal|compilerHarness|stackMap\.test|gradscope-cell/);
  });

  test('async frames across two cells keep `async` and lose the wrapper frame', async () => {
    const nb = new Notebook();
    const lib = 'async function inner() {\n  await null;\n  throw new Error("deep");\n}\nasync function outer() { await inner(); }';
    await nb.run(lib);
    const cell2 = 'const before = 1;\nawait outer();';
    const { text, frames } = mapStack(await stackOf(nb, cell2), lookupOf(nb), { kernelDir });
    const a = positionOf(lib, 'new Error');
    // V8 places an async frame at the `await` it is suspended in.
    const b = positionOf(lib, 'await inner()');
    const c = positionOf(cell2, 'await outer()');
    assert.deepEqual(frameLines(text), [
      `    at inner (Cell 1, line ${a.line}, column ${a.column})`,
      `    at async outer (Cell 1, line ${b.line}, column ${b.column})`,
      `    at async Cell 2, line ${c.line}, column ${c.column}`,
    ]);
    assert.deepEqual(frames.map((f) => [f.cellLabel, f.functionName]), [['Cell 1', 'inner'], ['Cell 1', 'outer'], ['Cell 2', undefined]]);
  });

  test('library frames are shortened to package/path:line:col; native frames are kept', async () => {
    const nb = new Notebook();
    const source = "import MagicString from 'magic-string';\nconst ms = new MagicString('ab');\nms.replace(/a/, () => { throw new Error('from callback'); });\n[1].map(() => ms.toString());";
    const { text, frames } = mapStack(await stackOf(nb, source), lookupOf(nb), { kernelDir });
    const lines = frameLines(text);
    const cb = positionOf(source, 'new Error');
    assert.equal(lines[0], `    at Cell 1, line ${cb.line}, column ${cb.column}`);
    assert.ok(lines.some((l) => /^ {4}at MagicString\.replace \(magic-string\/[\w./-]+\.js:\d+:\d+\)$/.test(l)), text);
    assert.doesNotMatch(text, /\/work\/|node_modules/);
    assert.equal(frames.length, 2);
    assert.equal(frames[1].line, positionOf(source, 'ms.replace').line);

    const arr = new Notebook();
    const src2 = '[1, 2].map((x) => {\n  if (x > 1) throw new Error("two");\n});';
    const mapped = mapStack(await stackOf(arr, src2), lookupOf(arr), { kernelDir });
    assert.deepEqual(frameLines(mapped.text).slice(0, 3), [
      `    at Cell 1, line 2, column ${positionOf(src2, 'new Error').column}`,
      '    at Array.map (<anonymous>)',
      '    at Cell 1, line 1, column 8',
    ]);
  });

  test('eval frames map their origin in the cell', async () => {
    const nb = new Notebook();
    const source = 'function runEval() {\n  return eval("(function inner(){ throw new Error(\'ev\') })()");\n}\nrunEval();';
    const { text, frames } = mapStack(await stackOf(nb, source), lookupOf(nb), { kernelDir });
    const origin = positionOf(source, 'eval(');
    const lines = frameLines(text);
    assert.equal(lines[0], `    at inner (eval at runEval (Cell 1, line ${origin.line}, column ${origin.column}), <anonymous>:1:26)`);
    assert.equal(lines[2], `    at runEval (Cell 1, line ${origin.line}, column ${origin.column})`);
    assert.deepEqual(frames.map((f) => f.functionName), ['runEval', undefined]);
  });

  test("Node's displayErrors arrow over compiled code is removed", async () => {
    const nb = new Notebook();
    const stack = await stackOf(nb, 'throw new TypeError("x");');
    assert.match(stack, /^gradscope-cell:\/1:\d+\n/); // what Node puts there
    const { text } = mapStack(stack, lookupOf(nb), { kernelDir });
    assert.equal(text.split('\n')[0], 'TypeError: x');
  });
});

describe('mapStack on hand-written stacks', () => {
  const none: CellLookup = () => undefined;

  test('a multi-line message is kept, unknown lines pass through, files outside node_modules are kept', () => {
    const stack = [
      'Error: line one',
      'line two of the message',
      '    at fn (/home/u/project/util.js:3:4)',
      '    at async Promise.all (index 0)',
      '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
      '    at run (file:///opt/ext/dist/kernel.js:10:2)',
      '    at C:\\ext\\dist\\kernel.js:1:1',
      '    at load (file:///home/u/project/node_modules/@tensorflow/tfjs-core/dist/tf-core.node.js:120:7)',
      'something else',
    ].join('\n');
    const { text, frames } = mapStack(stack, none, { kernelDir: '/opt/ext/dist' });
    assert.deepEqual(text.split('\n'), [
      'Error: line one',
      'line two of the message',
      '    at fn (/home/u/project/util.js:3:4)',
      '    at async Promise.all (index 0)',
      '    at C:\\ext\\dist\\kernel.js:1:1',
      '    at load (@tensorflow/tfjs-core/dist/tf-core.node.js:120:7)',
      'something else',
    ]);
    assert.deepEqual(frames, []);
  });

  test('non-string input and stacks without frames do not throw', () => {
    assert.deepEqual(mapStack('Error: only a message', none), { text: 'Error: only a message', frames: [] });
    assert.deepEqual(mapStack(undefined as unknown as string, none), { text: '', frames: [] });
  });
});
