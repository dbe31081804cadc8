import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TestKernel } from './kernelHarness';

describe('kernel process', () => {
  const k = new TestKernel();
  after(() => k.dispose());

  test('starts, runs TypeScript, and shows the last expression', async () => {
    const r = await k.run('const answer: number = 6 * 7;\nanswer');
    assert.equal(r.status, 'ok');
    assert.equal(r.value, '42');
  });

  test('variables, functions and classes persist across cells and re-runs', async () => {
    await k.run('let base = 10;\nfunction twice(v: number) { return 2 * v; }\nclass Box { constructor(public v: number) {} }');
    const again = await k.run('let base = 20;\nbase');
    assert.equal(again.status, 'ok', again.errorText);
    const r = await k.run('new Box(twice(base)).v');
    assert.equal(r.value, '40');
  });

  test('top-level await works and keeps declarations', async () => {
    const r = await k.run('const later = await new Promise<number>((r) => setTimeout(() => r(5), 20));\nlater + 1');
    assert.equal(r.value, '6');
    assert.equal((await k.run('later')).value, '5');
  });

  test('console output streams while the cell runs, in order', async () => {
    const flag = path.join(os.tmpdir(), `gradscope-flag-${process.pid}-${Date.now()}`);
    // The cell waits for a file that the test creates only after it has received "first": if output
    // were delivered at the end, the cell would never finish.
    const src = `import * as fs from 'fs';
console.log('first');
while (!fs.existsSync(${JSON.stringify(flag)})) await new Promise((r) => setTimeout(r, 10));
console.error('second');
console.log('third');`;
    const r = await k.run(src, (o) => {
      if (o.output_type === 'stream' && o.text.includes('first')) fs.writeFileSync(flag, '');
    });
    fs.rmSync(flag, { force: true });
    assert.equal(r.status, 'ok', r.errorText);
    assert.deepEqual(r.outputs.filter((o) => o.output_type === 'stream').map((o) => o.output_type === 'stream' && `${o.name}:${o.text.trim()}`), ['stdout:first', 'stderr:second', 'stdout:third']);
  });

  test('tensors show dtype, shape and values', async () => {
    const r = await k.run("import * as tf from '@tensorflow/tfjs';\ntf.tensor2d([[1, 2], [3, 4]])");
    assert.match(r.value ?? '', /^Tensor float32 \[2,2\]/);
    assert.match(r.value ?? '', /\[\[1, 2\],\s*\[3, 4\]\]/);
  });

  test('display() emits rich outputs and updates them in place', async () => {
    const r = await k.run("const h = display('<b>one</b>', 'text/html');\nh.update('<b>two</b>', 'text/html');\ndisplay({ a: 1 });");
    const displays = r.outputs.filter((o) => o.output_type === 'display_data');
    assert.equal(displays.length, 2);
    assert.deepEqual(displays[0].output_type === 'display_data' && displays[0].data, { 'text/html': '<b>two</b>' });
    assert.deepEqual(displays[1].output_type === 'display_data' && displays[1].data['application/json'], { a: 1 });
  });

  test('a cell ending in display() shows the display, not its handle', async () => {
    const r = await k.run("display('<i>only this</i>', 'text/html')");
    assert.equal(r.status, 'ok');
    assert.deepEqual(r.outputs.map((o) => o.output_type), ['display_data']);
  });

  test('an error whose stack never passes through a cell still reports its message', async () => {
    const r = await k.run("const e = new Error('boom'); e.stack = 'Error: boom\\n    at deep (lib.js:1:1)'; throw e;");
    assert.equal(r.status, 'error');
    assert.equal(r.error?.message, 'Error: boom');
    assert.equal(r.error?.line, 0);
  });

  test('a thrown error is mapped to the cell line and column, without kernel frames', async () => {
    const r = await k.run("const ok = 1;\nfunction fail() {\n  throw new RangeError('bad value');\n}\nfail();", undefined, 'E');
    assert.equal(r.status, 'error');
    assert.equal(r.error?.line, 3);
    assert.equal(r.error?.column, 9);
    assert.match(r.errorText ?? '', /RangeError: bad value/);
    assert.match(r.errorText ?? '', /Cell E, line 3, column 9/);
    assert.doesNotMatch(r.errorText ?? '', /dist\/kernel\.js|node:internal|node:async_hooks|AsyncLocalStorage/);
  });

  test('a compile error names the cell line', async () => {
    const r = await k.run('const a = 1;\nconst b = (;\n');
    assert.equal(r.status, 'error');
    assert.equal(r.error?.line, 2);
    assert.match(r.errorText ?? '', /CompileError/);
  });

  test('interrupting a synchronous infinite loop keeps the variables', async () => {
    await k.run('const keep = 41;');
    const started = Date.now();
    const running = k.run('while (true) {}');
    setTimeout(() => k.client.interrupt(), 300);
    const r = await running;
    assert.equal(r.status, 'interrupted');
    assert.match(r.errorText ?? '', /Interrupted/);
    const after = await k.run('keep + 1');
    assert.equal(after.value, '42', 'variables survive the interrupt');
    console.log(`# interrupt took ${Date.now() - started - 300} ms after the request`);
  });

  test('interrupt abandons a pending promise and raises the flag that training loops read', async () => {
    const running = k.run(`const hooks = (globalThis as any)[Symbol.for('gradscope.kernel')];
globalThis.sawFlag = false;
hooks.onInterrupt(() => { globalThis.sawFlag = hooks.interrupted; });
await new Promise(() => {});`);
    setTimeout(() => k.client.interrupt(), 300);
    const r = await running;
    assert.equal(r.status, 'interrupted');
    assert.equal((await k.run('sawFlag')).value, 'true');
  });
});

describe('kernel deaths', () => {
  test('process.exit in a cell fails the cell with a clear message; the next run starts a new kernel', async () => {
    const k = new TestKernel();
    try {
      await k.run('const lost = 1;');
      const r = await k.run('process.exit(1)');
      assert.equal(r.status, 'died');
      assert.match(r.message ?? '', /The kernel died: .*exited with code 1.*variables are lost; the next run starts a new kernel/);
      const next = await k.run('typeof lost');
      assert.equal(next.value, 'undefined');
    } finally {
      k.dispose();
    }
  });

  test('running out of memory is reported as such', async () => {
    const k = new TestKernel({}, ['--max-old-space-size=48']);
    try {
      const r = await k.run('const hog: number[][] = [];\nwhile (true) hog.push(new Array(1e5).fill(Math.random()));');
      assert.equal(r.status, 'died');
      assert.match(r.message ?? '', /ran out of memory/);
      assert.equal((await k.run('1 + 1')).value, '2');
    } finally {
      k.dispose();
    }
  });
});
