/**
 * The samples a new user opens first: each `samples/*.tfnb` runs headless through `dist/cli.js` on the
 * wasm backend (the default without a native package), and what a user would read is checked — the
 * printed numbers and phrases, and the findings of each gradient-health panel (read from the notebook
 * the runner writes, cell by cell), and each sentence of its markdown that promises something the
 * panel or the output shows (promises.ts). Two samples run at a time (the machine has two cores); each one's
 * wall time is printed as a diagnostic, never asserted.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseNotebook, type NotebookModel } from '../../../src/notebook/nbformat';
import { HEALTH_MIME, type HealthSnapshot } from '../../../src/protocol/health';
import { root, requireBuild } from '../kernel/kernelHarness';
import { notebookText, samplePath, sourceFiles } from './generate';
import { ADAM_01_PROMISE, SAMPLE_PROMISES, checkPromises, markdownOf } from './promises';

const cli = path.join(root, 'dist', 'cli.js');
/** The backend the samples run on: wasm, or `GRADSCOPE_SAMPLES_BACKEND` (CI also runs them on webgpu). */
const BACKEND = process.env.GRADSCOPE_SAMPLES_BACKEND || 'wasm';
// Software WebGPU (CI's lavapipe) runs the samples several times slower than wasm.
const TIMEOUT_MS = (process.env.GRADSCOPE_SAMPLES_BACKEND || 'wasm') === 'wasm' ? 180_000 : 900_000;

/** What one headless run of a sample showed. */
interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
  nb?: NotebookModel;
}

/**
 * Runs `<folder>/<name>.tfnb` (folder defaults to samples/) with the CLI on wasm and reads back the
 * notebook it wrote; `edit`, when given, changes the notebook's text first (a variant the markdown
 * suggests trying).
 */
function runSample(name: string, folder = path.join(root, 'samples'), edit?: (text: string) => string): Promise<Ran> {
  requireBuild();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gradscope-sample-'));
  const out = path.join(dir, `${name}.tfnb`);
  let input = path.join(folder, `${name}.tfnb`);
  if (edit) {
    const text = fs.readFileSync(input, 'utf8');
    const changed = edit(text);
    assert.notEqual(changed, text, 'the variant changes the sample');
    input = path.join(dir, `variant-${name}.tfnb`);
    fs.writeFileSync(input, changed);
  }
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, 'run', input, '--out', out, '--backend', BACKEND], {
      env: { ...process.env, GRADSCOPE_VERBOSE: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      try {
        const nb = fs.existsSync(out) ? parseNotebook(fs.readFileSync(out, 'utf8')) : undefined;
        resolve({ code, stdout, stderr, ms: Date.now() - started, nb });
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

/** Runs a sample, checks it finished, and reports its wall time. */
async function ran(t: { diagnostic(m: string): void }, name: string, folder?: string, edit?: (text: string) => string): Promise<Ran & { nb: NotebookModel }> {
  const r = await runSample(name, folder, edit);
  t.diagnostic(`${name}: ${(r.ms / 1000).toFixed(1)} s wall (two samples run at a time)`);
  assert.equal(r.code, 0, `${name} failed:\n${r.stderr.slice(-3000)}`);
  assert.ok(r.nb, 'the runner wrote the notebook');
  return r as Ran & { nb: NotebookModel };
}

/** Checks the promises of sample `prefix` (its markdown's sentences about what it shows) on a run. */
function keepsPromises(prefix: string, r: Ran & { nb: NotebookModel }): void {
  checkPromises(SAMPLE_PROMISES[prefix], { text: r.stdout, nb: r.nb });
}

/** The final health snapshots shown by the code cell whose source contains `marker`, in order. */
function panels(nb: NotebookModel, marker: string): HealthSnapshot[] {
  const cells = nb.cells.filter((c) => c.kind === 'code' && c.source.includes(marker));
  assert.equal(cells.length, 1, `exactly one code cell contains ${JSON.stringify(marker)}`);
  return cells[0].outputs.flatMap((o) => (o.output_type === 'display_data' && HEALTH_MIME in o.data ? [o.data[HEALTH_MIME] as HealthSnapshot] : []));
}

const codes = (s: HealthSnapshot) => s.findings.map((f) => f.code);

/** The number a regular expression's first group captures in `text`. */
function num(text: string, re: RegExp): number {
  const m = re.exec(text);
  assert.ok(m, `output matches ${re}`);
  return Number(m[1]);
}

test('every promise quotes its sample\'s markdown word for word', () => {
  const quoted = { ...SAMPLE_PROMISES, '07': [...SAMPLE_PROMISES['07'], ADAM_01_PROMISE] };
  for (const [prefix, promises] of Object.entries(quoted)) {
    const src = sourceFiles().find((f) => path.basename(f).startsWith(prefix))!;
    const md = markdownOf(parseNotebook(fs.readFileSync(samplePath(src), 'utf8')));
    for (const p of promises) assert.ok(md.includes(p.says.replace(/\s+/g, ' ')), `${prefix}: ${p.says}`);
  }
});

test('every sample is the up-to-date output of its source, saved without outputs for the Gradscope kernel', () => {
  const names = sourceFiles().map((f) => path.basename(f, '.nb'));
  assert.deepEqual(names, [
    '01-vanishing-gradients', '02-exploding-gradients', '03-batch-normalization', '04-learning-rate-schedules',
    '05-overfitting', '06-1-base-model', '06-2-transfer-learning', '07-small-cnn',
  ]);
  const onDisk = fs.readdirSync(path.join(root, 'samples')).filter((f) => f.endsWith('.tfnb')).sort();
  assert.deepEqual(onDisk, names.map((n) => `${n}.tfnb`));
  for (const src of sourceFiles()) {
    const text = fs.readFileSync(samplePath(src), 'utf8');
    assert.equal(text, notebookText(src), `${path.basename(samplePath(src))} is stale: run node --import tsx test/unit/samples/generate.ts`);
    const nb = parseNotebook(text);
    assert.deepEqual(nb.metadata.kernelspec, { name: 'gradscope', display_name: 'Gradscope (TypeScript)', language: 'typescript' });
    assert.deepEqual(nb.metadata.language_info, { name: 'typescript', file_extension: '.ts' });
    assert.equal(nb.cells[0].kind, 'markdown', 'each sample opens with its explanation');
    for (const c of nb.cells.filter((x) => x.kind === 'code')) {
      assert.equal(c.executionCount, null);
      assert.deepEqual(c.outputs, []);
    }
  }
});

describe(`samples run headless on ${BACKEND}`, { concurrency: 2 }, () => {
  test('01 vanishing gradients: sigmoid vanishes, SELU does not', async (t) => {
    const r = await ran(t, '01-vanishing-gradients');
    keepsPromises('01', r);
    assert.ok(codes(panels(r.nb, "run('sigmoid'")[0]).includes('vanishing-gradient'), 'the sigmoid panel reports vanishing-gradient');
    assert.ok(!codes(panels(r.nb, "run('selu'")[0]).includes('vanishing-gradient'), 'the SELU panel does not');
    assert.ok(!codes(panels(r.nb, "run('relu'")[0]).includes('vanishing-gradient'), 'nor does the ReLU/He panel');
    // The printed last-hidden / first-hidden sensitivity ratios tell the same story.
    assert.ok(num(r.stdout, /sigmoid: .*\(ratio ([\d.e+-]+)\)/) > 100);
    assert.ok(num(r.stdout, /selu: .*\(ratio ([\d.e+-]+)\)/) < 100);
    assert.match(r.stdout, /standardized std = 1\.000/);
    assert.match(r.stdout, /\[text\/html\]/, 'the comparison table is displayed');
  });

  test('02 exploding gradients: the plain run stops on NaN, the three clipped runs stay finite within their bounds', async (t) => {
    const r = await ran(t, '02-exploding-gradients');
    keepsPromises('02', r);
    assert.match(r.stdout, /clipvalue: {6}g → \[0\.9000,1\.0000\]/);
    assert.match(r.stdout, /clipnorm: {7}g → \[0\.0090,1\.0000\]/);
    assert.match(r.stdout, /gs\.fit: the loss became (NaN|Infinity|-Infinity) at step \d+/);
    const [plain] = panels(r.nb, 'catch (e)');
    assert.equal(plain.status, 'failed');
    assert.ok(codes(plain).includes('nan-loss') && codes(plain).includes('exploding-gradient'), codes(plain).join(', '));
    const clipped = panels(r.nb, 'globalClipnorm: 1');
    assert.equal(clipped.length, 3);
    for (const p of clipped) {
      assert.equal(p.status, 'finished');
      assert.ok(!codes(p).includes('nan-loss') && !codes(p).includes('exploding-gradient'), codes(p).join(', '));
    }
    assert.ok(num(r.stdout, /globalClipnorm: 1: .*largest post-clip norm ([\d.]+)/) <= 1.0005);
    assert.ok(num(r.stdout, /clipnorm: 1: .*largest post-clip norm ([\d.]+)/) <= Math.sqrt(18) + 5e-4);
    assert.ok(num(r.stdout, /clipvalue: 1: .*largest post-clip norm ([\d.]+)/) > Math.sqrt(18), 'clipvalue bounds elements, not the step');
  });

  test('03 batch normalization: no vanishing gradient with BN; inference ignores the batch, training mode does not', async (t) => {
    const r = await ran(t, '03-batch-normalization');
    keepsPromises('03', r);
    assert.ok(codes(panels(r.nb, 'deepSigmoid(false)')[0]).includes('vanishing-gradient'));
    const bn = panels(r.nb, 'deepSigmoid(true)')[0];
    assert.ok(!codes(bn).includes('vanishing-gradient'), codes(bn).join(', '));
    assert.ok(bn.layers.some((l) => l.batchNorm), 'the panel has batch-norm statistics');
    assert.match(r.stdout, /BN parameters: trainable 640, non-trainable 640/);
    const alone = /inference: alone ([\d.]+), in a batch of 64 ([\d.]+)/.exec(r.stdout);
    assert.ok(alone && alone[1] === alone[2], 'predict gives a sample the same output whatever its batch');
    const training = /training mode: in a batch of 2 ([\d.]+), among 64 with x₀ > 1 ([\d.]+)/.exec(r.stdout);
    assert.ok(training && training[1] !== training[2], 'training mode depends on the batch');
  });

  test('04 learning-rate schedules: history.lr follows each schedule, the plateau callback reduces the rate', async (t) => {
    const r = await ran(t, '04-learning-rate-schedules');
    keepsPromises('04', r);
    assert.match(r.stdout, /η\(s\) = 0\.025 \(η₀\/2\)/);
    const total = num(r.stdout, /\d+ steps per epoch, (\d+) steps;/);
    assert.equal(r.stdout.match(new RegExp(`history\\.lr = schedule\\.lr\\(t\\) at all ${total} steps: true`, 'g'))?.length, 3);
    assert.ok(num(r.stdout, /reduced the rate (\d+) time/) >= 1);
    const runs = panels(r.nb, 'runs.push(');
    for (const p of runs) assert.equal(p.progress.totalSteps, total, 'the notebook counts the steps as gs.fit does');
    assert.deepEqual(runs.map((p) => p.training.scheduleKind), ['constant', 'power', 'exponential', 'plateau']);
    assert.ok(runs[3].training.events.some((e) => e.kind === 'lr-reduced'), 'the plateau panel marks the reductions');
    // The panel's series may be downsampled to bucket means with a min/max envelope.
    const lr = runs[2].training.lr;
    const hi = (lr.max ?? lr.value) as number[], lo = (lr.min ?? lr.value) as number[];
    assert.ok(Math.abs(hi[0] - 0.05) < 1e-9, `the exponential panel starts at η₀ (${hi[0]})`);
    assert.ok(lo[lo.length - 1] < 0.0051, `and ends near η₀/10 (${lo[lo.length - 1]})`);
    assert.ok(lr.value.every((v, i) => i === 0 || (v as number) <= (lr.value[i - 1] as number)), 'and never rises');
  });

  test('05 overfitting: the finding without regularization, restored best weights, MC dropout spread', async (t) => {
    const r = await ran(t, '05-overfitting');
    keepsPromises('05', r);
    assert.ok(codes(panels(r.nb, 'const plain = bigNet()')[0]).includes('overfitting'));
    const best = /restored the weights of epoch (\d+) \(val_loss ([\d.]+)\)/.exec(r.stdout);
    assert.ok(best, 'the restored epoch is printed');
    assert.equal(num(r.stdout, /evaluated again: ([\d.]+)/), Number(best[2]), 'the model has the best epoch\'s weights');
    const es = panels(r.nb, 'earlyStopping(')[0];
    assert.ok(es.training.events.some((e) => e.kind === 'restored-best'));
    const mask = /training mode: \[([^\]]+)\]/.exec(r.stdout)![1].split(',').map(Number);
    assert.ok(mask.every((v) => v === 0 || Math.abs(v - 1 / 0.7) < 1e-3) && mask.some((v) => v > 0), mask.join(','));
    const std = (point: string) => num(r.stdout, new RegExp(`${point} +predict [\\d.]+ +MC mean [\\d.]+ ± std ([\\d.]+)`));
    assert.ok(std('on the upper moon') > 0, 'MC dropout passes differ');
    assert.ok(std('far from all data') > std('on the upper moon'), 'more spread far from the data');
  });

  test('06 transfer learning in two notebooks: the first saves model A to disk, the second reuses it, freezes, fine-tunes at 10× lower rate', async (t) => {
    // Both notebooks in one fresh folder, as a user has them: the second loads what the first saved.
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'gradscope-06-'));
    try {
      for (const n of ['06-1-base-model', '06-2-transfer-learning']) fs.copyFileSync(path.join(root, 'samples', `${n}.tfnb`), path.join(folder, `${n}.tfnb`));
      const first = await ran(t, '06-1-base-model', folder);
      assert.match(first.stdout, /saved: model\.json \(\d+ bytes\), weights\.bin \((\d+) bytes\); weights \1 bytes/);
      // 64·64+64 + 64·32+32 + 32·16+16 + 16·6+6 float32 weights.
      assert.equal(num(first.stdout, /weights\.bin \((\d+) bytes\)/), 4 * (64 * 64 + 64 + 64 * 32 + 32 + 32 * 16 + 16 + 16 * 6 + 6));
      assert.match(first.stdout, /identical predictions on all 6000 samples: true/);
      assert.deepEqual(fs.readdirSync(path.join(folder, 'models', '06-base')).sort(), ['model.json', 'weights.bin'], 'saved next to the notebook, no temporary file left');

      const r = await ran(t, '06-2-transfer-learning', folder);
      assert.match(r.stdout, /Stage 0: [^\n]*hidden1 reused trainable, hidden2 reused trainable, hidden3 reused trainable, outputB new trainable/);
      assert.match(r.stdout, /Stage 1: [^\n]*hidden1 reused frozen, hidden2 reused frozen, hidden3 reused frozen, outputB new trainable/);
      assert.match(r.stdout, /Stage 2: [^\n]*hidden1 reused frozen, hidden2 reused trainable, hidden3 reused trainable, outputB new trainable/);
      assert.match(r.stdout, /largest change of a frozen weight: 0\n/);
      assert.ok(Math.abs(num(r.stdout, /new optimizer: Adam with learning rate ([\d.e-]+)/) - 1e-3) < 1e-12);
      const [stage1] = panels(r.nb, "showMap('Stage 1");
      assert.deepEqual(stage1.model.layers.map((l) => [l.name, l.trainable, !!l.reused]), [['hidden1', false, true], ['hidden2', false, true], ['hidden3', false, true], ['outputB', true, false]]);
      const [stage2] = panels(r.nb, "showMap('Stage 2");
      assert.deepEqual(stage2.model.layers.map((l) => l.trainable), [false, true, true, true]);
      assert.match(r.stdout, /test accuracy on task B: from scratch [\d.]+ %, reused \+ frozen [\d.]+ %, after fine-tuning [\d.]+ %/);
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });

  test('06 part 2 without part 1: the error says to run part 1 first', async () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'gradscope-06-'));
    try {
      fs.copyFileSync(path.join(root, 'samples', '06-2-transfer-learning.tfnb'), path.join(folder, '06-2-transfer-learning.tfnb'));
      const r = await runSample('06-2-transfer-learning', folder);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr + r.stdout, /cannot load the base model "\.\/models\/06-base": model file models\/06-base does not exist: loading failed\nRun 06-1-base-model\.tfnb first/);
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });

  test(`07 small CNN: trains on ${BACKEND} and classifies the generated images`, async (t) => {
    const r = await ran(t, '07-small-cnn');
    keepsPromises('07', r);
    assert.match(r.stdout, new RegExp(`backend: ${BACKEND}`));
    assert.ok(num(r.stdout, /test accuracy ([\d.]+) %/) >= 80);
    const [p] = panels(r.nb, 'tf.layers.conv2d');
    assert.equal(p.status, 'finished');
    const conv = p.layers.filter((l) => /conv2d/i.test(l.layer));
    assert.equal(conv.length, 2, 'both conv layers are probed');
    for (const l of conv) assert.ok(l.sensitivityRms.value.some((v) => v !== null && v > 0));
  });

  test('07 small CNN with tf.train.adam(0.1), as its markdown suggests trying: dead filters, no gradient to the first layer', async (t) => {
    const r = await ran(t, '07-small-cnn', undefined, (text) => text.replace(/tf\.train\.adam\(0\.003\)/, 'tf.train.adam(0.1)'));
    checkPromises([ADAM_01_PROMISE], { text: r.stdout, nb: r.nb });
  });
});
