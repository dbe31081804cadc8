/**
 * Errors nobody caught (timers, rejected promises) and a cell's constant last value, in a real kernel
 * process: where the user sees them and that their stacks are mapped to the cell, without kernel frames.
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { TestKernel } from './kernelHarness';

describe('uncaught errors', () => {
  const k = new TestKernel({ backend: 'cpu' });
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
    assert.doesNotMatch(tb, /dist[/\\]kernel\.js|node:internal/);
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
    assert.doesNotMatch(tb, /dist[/\\]kernel\.js|node:internal/);
  });

  test('console output of a timer from an ended cell goes to the kernel log, not to the running cell', async () => {
    await k.run("setTimeout(() => console.log('from the past'), 200);");
    const r = await k.run('await new Promise((r) => setTimeout(r, 500));');
    assert.doesNotMatch(r.text, /from the past/);
    await sleep(10);
    assert.ok(k.log.some((l) => /from the past/.test(l)));
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
