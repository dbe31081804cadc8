/**
 * Errors nobody caught (timers, rejected promises) and a cell's constant last value, in a real kernel
 * process: where the user sees them and that their stacks are mapped to the cell, without kernel frames.
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { TestKernel } from './kernelHarness';
import { UNCAUGHT_SHOWN } from '../../../src/kernel/runtime';

// On wasm too: its Emscripten runtime rethrows uncaught errors, which ended the kernel (fatalHandlers.ts).
for (const backend of ['cpu', 'wasm'] as const) describe(`uncaught errors (${backend})`, () => {
  const k = new TestKernel({ backend });
  after(() => k.dispose());

  test('a timer that throws after its cell ended: shown on that cell, mapped, not on the cell running then', async () => {
    const a = await k.run("const t0 = 1;\nsetTimeout(() => {\n  throw new RangeError('late boom');\n}, 300);", undefined, 'T');
    assert.equal(a.status, 'ok');
    const b = await k.run('await new Promise((r) => setTimeout(r, 700));\n"second"', undefined, 'U');
    assert.equal(b.status, 'ok');
    assert.equal(b.outputs.filter((o) => o.output_type === 'error' || (o.output_type === 'stream' && /late boom/.test(o.text))).length, 0, 'nothing lands on the unrelated cell');
    const late = k.late.find((l) => l.output.output_type === 'error' && l.output.evalue === 'late boom');
    assert.ok(late, `late outputs: ${JSON.stringify(k.late)}`);
    assert.equal(late.cellUri, 'cell-T');
    const tb = late.output.output_type === 'error' ? late.output.traceback.join('\n') : '';
    assert.match(tb, /Uncaught error in code that Cell T left running, after it ended/);
    assert.match(tb, /at Timeout._onTimeout \(Cell T, line 3, column 9\)/);
    assert.doesNotMatch(tb, /dist[/\\]kernel\.js|node:internal|node:async_hooks|AsyncLocalStorage/);
  });

  test('a timer that throws while its cell still runs: an error output on the cell, mapped', async () => {
    const r = await k.run("setTimeout(() => { throw new Error('early boom'); }, 50);\nawait new Promise((r) => setTimeout(r, 300));", undefined, 'V');
    const err = r.outputs.find((o) => o.output_type === 'error');
    assert.ok(err && err.output_type === 'error');
    assert.equal(err.evalue, 'early boom');
    assert.match(err.traceback.join('\n'), /^Uncaught error:\nError: early boom\n.*\(Cell V, line 1, column 26\)/);
  });

  test('an unhandled rejection: mapped stack without kernel frames', async () => {
    const r = await k.run("async function bad() {\n  throw new TypeError('rejected');\n}\nbad();\nawait new Promise((r) => setTimeout(r, 100));", undefined, 'W');
    const err = r.outputs.find((o) => o.output_type === 'error');
    assert.ok(err && err.output_type === 'error', JSON.stringify(r.outputs));
    const tb = err.traceback.join('\n');
    assert.match(tb, /^Unhandled promise rejection:\nTypeError: rejected/);
    assert.match(tb, /at bad \(Cell W, line 2, column 9\)|at Cell W, line 2, column 9/);
    assert.doesNotMatch(tb, /dist[/\\]kernel\.js|node:internal|node:async_hooks|AsyncLocalStorage/);
  });

  test('a timer that throws at every tick: a few errors on its cell, one notice, the rest in the kernel log', async () => {
    const before = k.late.length;
    await k.run("let ticks = 0;\nglobalThis.iv = setInterval(() => { ticks++; throw new Error('tick ' + ticks); }, 5);", undefined, 'X');
    await k.run('await new Promise((r) => setTimeout(r, 600));\nclearInterval(iv);');
    const shown = k.late.slice(before).filter((l) => l.cellUri === 'cell-X');
    const ticks = Number((await k.run('ticks')).value);
    assert.ok(ticks > UNCAUGHT_SHOWN + 1, `only ${ticks} ticks`);
    assert.deepEqual(shown.map((l) => (l.output.output_type === 'error' ? l.output.evalue : l.output.output_type)),
      [...Array.from({ length: UNCAUGHT_SHOWN }, (_, i) => `tick ${i + 1}`), 'stream']);
    const notice = shown[UNCAUGHT_SHOWN].output;
    assert.ok(notice.output_type === 'stream');
    assert.match(notice.text, /5 uncaught errors were shown for Cell X; further ones go to the kernel log only/);
    assert.ok(k.log.some((l) => l.includes(`Error: tick ${ticks}`)), 'the last error is in the kernel log');
  });

  test('a timer that throws at every tick while its cell runs: the same bound on the running cell', async () => {
    const r = await k.run("const iv2 = setInterval(() => { throw new Error('again'); }, 5);\nawait new Promise((r) => setTimeout(r, 400));\nclearInterval(iv2);", undefined, 'Y');
    assert.equal(r.outputs.filter((o) => o.output_type === 'error').length, UNCAUGHT_SHOWN);
    assert.match(r.text, /5 uncaught errors were shown for Cell Y; further ones go to the kernel log only/);
  });

  test('console output of a timer from an ended cell goes to the kernel log, not to the running cell', async () => {
    await k.run("setTimeout(() => console.log('from the past'), 200);");
    const r = await k.run('await new Promise((r) => setTimeout(r, 500));');
    assert.doesNotMatch(r.text, /from the past/);
    await sleep(10);
    assert.ok(k.log.some((l) => /from the past/.test(l)));
  });
  test('the kernel and its variables outlive those errors', async () => {
    const r = await k.run("const kept = 'still here';\nsetTimeout(() => { throw new Error('late'); }, 20);\nPromise.reject(new Error('nobody waits'));");
    assert.equal(r.status, 'ok', r.errorText);
    await sleep(300);
    assert.equal((await k.run('kept')).value, 'still here');
    assert.ok(!k.log.some((l) => /kernel exited/.test(l)), k.log.join('\n'));
  });
});

describe('constant last expressions', () => {
  const k = new TestKernel({ backend: 'cpu' });
  after(() => k.dispose());

  for (const [source, shown] of [["'a' + 'b'", 'ab'], ["const q = 1;\n'a' + 'b' + 1", 'ab1'], ["await 0;\n'x' +\n  'y'", 'xy'], ['`t${1 + 1}`', 't2']]) {
    test(`${JSON.stringify(source)} shows ${shown}`, async () => {
      const r = await k.run(source);
      assert.equal(r.status, 'ok', r.errorText);
      assert.equal(r.value, shown);
    });
  }
});
