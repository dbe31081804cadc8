/**
 * Fault injection on interrupts, in real kernel processes: what the user sees after interrupting
 * synchronous tfjs work, a slow training step, code busy after an await and async loops, and that
 * TensorFlow.js, the variables and the kernel itself survive.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { TestKernel } from './kernelHarness';

/** Runs `source`, interrupting it `afterMs` after it started. */
async function interruptAfter(k: TestKernel, source: string, afterMs: number) {
  const running = k.run(source);
  await sleep(afterMs);
  k.client.interrupt();
  return running;
}

const SETUP = `import * as tf from '@tensorflow/tfjs';
import * as gs from 'gradscope';
const x = tf.randomNormal([64, 4]);
const y = x.sum(1, true);
const model = tf.sequential({ layers: [tf.layers.dense({ units: 8, inputShape: [4], activation: 'relu' }), tf.layers.dense({ units: 1 })] });
model.compile({ optimizer: tf.train.sgd(0.05), loss: 'meanSquaredError' });`;

/** The next cell: engine invariants, tf.grad and gs.fit all work. */
const WORKS = `const st = tf.engine().state as any;
const g = tf.grad((v: tf.Tensor) => v.square())(tf.scalar(3)).dataSync()[0];
const h = await gs.fit(model, x, y, { epochs: 2, batchSize: 16, diagnostics: false });
JSON.stringify({ scopes: st.scopeStack.length, kernelDepth: st.kernelDepth, gradientDepth: st.gradientDepth, g, losses: h.history.loss.length, finite: h.history.loss.every(Number.isFinite) })`;
const HEALTHY = { scopes: 0, kernelDepth: 0, gradientDepth: 0, g: 6, losses: 2, finite: true };

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`interrupting synchronous TensorFlow.js work (${backend})`, () => {
    const k = new TestKernel({ backend });
    after(() => k.dispose());

    test('a tf.tidy loop: interrupted, engine restored and checked, gs.fit and tf.grad work next', async () => {
      const setup = await k.run(SETUP);
      assert.equal(setup.status, 'ok', setup.errorText);
      await k.run('const big = tf.randomNormal([300, 300]);');
      const r = await interruptAfter(k, 'for (;;) tf.tidy(() => tf.matMul(big, big).relu().sum());', 600);
      assert.equal(r.status, 'interrupted');
      assert.match(r.errorText ?? '', /variables are kept\. TensorFlow\.js was restored \(.*open tf\.tidy scope.*\) and checked/);
      const next = await k.run(WORKS);
      assert.equal(next.status, 'ok', next.errorText);
      assert.deepEqual(JSON.parse(next.value ?? "null"), HEALTHY);
    });

    test('a big model.predict: interrupted, then gs.fit and tf.grad work', async () => {
      await k.run(`const wide = tf.sequential({ layers: [tf.layers.dense({ units: 2048, inputShape: [512], activation: 'relu' }), tf.layers.dense({ units: 2048 })] });
const many = tf.randomNormal([4096, 512]);`);
      // Interrupted inside a layer's apply (nearly all of a predict's time), its name scope would prefix
      // every later layer's weights; an interrupt that lands between two layers leaves none open, so up
      // to three are tried.
      const messages: string[] = [];
      for (let i = 0; i < 3 && !messages.some((m) => /1 layer name scope closed/.test(m)); i++) {
        const r = await interruptAfter(k, 'for (let i = 0; i < 1000; i++) tf.dispose(wide.predict(many));', 800 + 150 * i);
        assert.equal(r.status, 'interrupted');
        messages.push(r.errorText ?? '');
      }
      assert.ok(messages.some((m) => /1 layer name scope closed/.test(m)), messages.join('\n'));
      const named = await k.run("JSON.stringify(tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] })] }).weights.map((w) => w.name))");
      assert.equal(named.status, 'ok', named.errorText);
      const names = JSON.parse(named.value ?? '[]') as string[];
      assert.equal(names.length, 2);
      for (const n of names) assert.match(n, /^dense_Dense\d+\/(kernel|bias)$/, `a new layer's weights are named as in a fresh kernel: ${names.join(', ')}`);
      const next = await k.run(WORKS);
      assert.equal(next.status, 'ok', next.errorText);
      assert.deepEqual(JSON.parse(next.value ?? "null"), HEALTHY);
      const tensors = await k.run('tf.memory().numTensors');
      const again = await k.run('tf.memory().numTensors');
      assert.equal(again.value, tensors.value, 'no tensors pile up after the repair');
    });

    test('an interrupt during tf.grad: the gradient tape is reset', async () => {
      const r = await interruptAfter(k, 'for (;;) tf.grad((v: tf.Tensor) => tf.matMul(v, v).sum())(big).dispose();', 600);
      assert.equal(r.status, 'interrupted');
      const next = await k.run(WORKS);
      assert.deepEqual(JSON.parse(next.value ?? "null"), HEALTHY);
    });
  });
}

describe('engine state that cannot be restored is reported, not claimed intact', () => {
  const k = new TestKernel({ backend: 'cpu' });
  after(() => k.dispose());

  test('a broken gradient check advises a restart', async () => {
    await k.run(SETUP);
    // Break tf.grad for good (as a corrupted backend would), then interrupt a sync loop.
    await k.run(`const realGrad = (tf.engine() as any).gradients;
(tf.engine() as any).gradients = function () { throw new Error('backend corrupted'); };`);
    const r = await interruptAfter(k, 'for (;;) tf.tidy(() => tf.add(x, 1));', 400);
    assert.equal(r.status, 'interrupted');
    assert.match(r.errorText ?? '', /TensorFlow\.js could not be restored: a gradient check failed: backend corrupted\. .*restart the kernel/);
    assert.doesNotMatch(r.errorText ?? '', /restored \(|and checked/);
    assert.match(r.restartAdvised ?? '', /gradient check failed/);
    await k.run('(tf.engine() as any).gradients = realGrad;');
  });
});

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`interrupting training and async code (${backend})`, () => {
    const k = new TestKernel({ backend });
    before(async () => assert.equal((await k.run(SETUP)).status, 'ok'));
    after(() => k.dispose());

    test('a 4 s training step: the kernel waits for it, gs.fit stops after it, the cell is interrupted and variables kept', async () => {
      await k.run(`class Slow extends tf.layers.Layer {
    static className = 'Slow';
    call(inputs: tf.Tensor | tf.Tensor[]) {
      const t0 = Date.now();
      while (Date.now() - t0 < 4000) {} // a step as slow as a big model on wasm
      return Array.isArray(inputs) ? inputs[0] : inputs;
    }
  }
  const slowModel = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [4] }), new Slow({})] });
  slowModel.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
  let steps = 0;`);
      const r = await interruptAfter(k, `await gs.fit(slowModel, x, y, { epochs: 5, batchSize: 16, diagnostics: false, callbacks: { onBatchEnd: () => { steps++; } } });
  globalThis.ranOn = true;`, 1000);
      assert.equal(r.status, 'interrupted', r.message ?? r.errorText);
      assert.match(r.errorText ?? '', /gs\.fit stopped after step 0 \(epoch 1\); the weights it trained are kept/);
      assert.equal((await k.run('steps')).value, '1', 'the run stopped at the end of the step that was running');
      assert.equal((await k.run('typeof ranOn')).value, 'undefined', 'the rest of the cell did not run');
      assert.ok(k.log.some((l) => /waiting for training step 0 to end/.test(l)), k.log.join('\n'));
    });

    test("gs.fit with onInterrupt: 'return' lets the cell go on", async () => {
      const r = await interruptAfter(k, `const h2 = await gs.fit(model, x, y, { epochs: 100000, batchSize: 16, diagnostics: false, onInterrupt: 'return' });
  globalThis.wentOn = h2.interrupted;`, 800);
      assert.equal(r.status, 'ok', r.errorText);
      assert.equal((await k.run('wentOn')).value, 'true');
    });

    test('JavaScript busy after an await cannot be interrupted: the restart says so', async () => {
      const k2 = new TestKernel({ backend });
      try {
        await k2.run('1');
        const r = await interruptAfter(k2, 'await new Promise((r) => setTimeout(r, 50));\nwhile (true) {}', 500);
        assert.equal(r.status, 'died');
        assert.match(r.message ?? '', /it was running JavaScript after an await without yielding \(a loop with no await in it\), which cannot be interrupted/);
      } finally {
        k2.dispose();
      }
    });

    test('an abandoned async loop stops changing state once the cell is interrupted', async () => {
      await k.run('const w = tf.variable(tf.scalar(0));');
      const r = await interruptAfter(k, `for (;;) {
    w.assign(w.add(1));
    await tf.nextFrame();
    await new Promise((r) => setTimeout(r, 5));
  }`, 400);
      assert.equal(r.status, 'interrupted', r.errorText);
      const a = Number((await k.run('w.dataSync()[0]')).value);
      await sleep(600);
      const b = Number((await k.run('w.dataSync()[0]')).value);
      assert.ok(a > 0, 'the loop ran before the interrupt');
      assert.equal(b, a, 'weights did not change after the interrupt');
      // The loop's next tfjs call threw an interruption error, which no later cell sees.
      const later = await k.run('1 + 1');
      assert.equal(later.value, '2');
      assert.equal(later.outputs.filter((o) => o.output_type === 'error').length, 0);
    });

    test('an abandoned async loop that makes no tfjs call stops at its next await', async () => {
      await k.run('let counter = 0;\nasync function tick() { counter++; await new Promise((r) => setTimeout(r, 5)); }');
      const r = await interruptAfter(k, `for (;;) {
    counter++;
    await new Promise((r) => setTimeout(r, 5));
    for await (const _ of [1]) counter++;
    await tick();
  }`, 400);
      assert.equal(r.status, 'interrupted', r.errorText);
      const a = Number((await k.run('counter')).value);
      await sleep(600);
      const b = Number((await k.run('counter')).value);
      assert.ok(a > 0, 'the loop ran before the interrupt');
      assert.equal(b, a, 'the loop went on changing a variable after the interrupt');
      // A function the interrupted cell defined still works when a later cell calls it.
      assert.equal((await k.run('await tick();\ncounter')).value, String(b + 1));
    });

    test('a timer an interrupted cell left calling tfjs stops there without an error output at every tick', async () => {
      await k.run('const v = tf.variable(tf.scalar(0));');
      const late = k.late.length;
      const r = await interruptAfter(k, 'setInterval(() => { v.assign(v.add(1)); }, 10);\nawait new Promise(() => {});', 400);
      assert.equal(r.status, 'interrupted', r.errorText);
      const a = Number((await k.run('v.dataSync()[0]')).value);
      await sleep(600);
      assert.equal(Number((await k.run('v.dataSync()[0]')).value), a, 'the timer went on changing the variable');
      assert.deepEqual(k.late.slice(late), [], 'the cell already says it was interrupted; the timer added outputs');
      assert.ok(k.log.some((l) => /was interrupted; its code that was still running/.test(l)), 'the stopped timer is in the kernel log');
    });

    test('gs.fit on a model that is still training is refused, even with optimizer and loss', async () => {
      const first = k.run(`globalThis.firstRun = gs.fit(model, x, y, { epochs: 3000, batchSize: 16, diagnostics: false, onInterrupt: 'return' });`);
      const started = await first;
      assert.equal(started.status, 'ok', started.errorText);
      const second = await k.run(`const opt = (model as any).optimizer;
  let refused = '';
  try { await gs.fit(model, x, y, { optimizer: tf.train.adam(0.1), loss: 'meanAbsoluteError', epochs: 1 }); } catch (e) { refused = (e as Error).message; }
  JSON.stringify({ refused, same: (model as any).optimizer === opt })`);
      assert.deepEqual(JSON.parse(second.value ?? "null"), { refused: 'gs.fit: cannot start training because another fit() call is ongoing', same: true });
      await k.run('model.stopTraining = true; await firstRun;');
    });
  });
}
