/**
 * What each sample (samples/NN-*.tfnb) must show after Run All: the training runs' gradient-health
 * outputs with the findings the sample is about, and checks on the numbers it prints. The expected
 * values come from the mathematics the sample's markdown states (clipping of g = [0.9, 100], schedule
 * formulas, BN parameter counts, inference independent of the batch…), never from a recorded run.
 * A sample without an entry here still gets the generic checks of samples.e2e.ts.
 */
import assert from 'node:assert/strict';
import type { FindingCode, HealthSnapshot, RunStatus } from '../../../src/protocol/health';

/** The health outputs expected of the cell whose source contains `cell`. */
export interface RunExpectation {
  /** A snippet of the cell's source that identifies it. */
  cell: string;
  /** Number of gs.fit runs (health outputs) of the cell. */
  runs: number;
  /** Status of every run. Defaults to 'finished'. */
  status?: RunStatus;
  /** Findings every run of the cell must have. */
  findings?: FindingCode[];
  /** Findings no run of the cell may have. */
  absent?: FindingCode[];
  /** Further checks on the cell's snapshots. */
  check?: (runs: HealthSnapshot[]) => void;
}

/** Expectations of one sample. */
export interface SampleExpectation {
  /** Patterns the text outputs of all cells must contain. */
  prints: RegExp[];
  /** Checks on the numbers in the text outputs of all cells. */
  numbers?: (text: string) => void;
  runs: RunExpectation[];
  /** Code lens titles (substrings) that some cell of the sample must show after Run All. */
  lenses?: string[];
}

/** The first match of `re` in `text`, its groups as numbers; fails the test when there is none. */
export function numbersOf(text: string, re: RegExp): number[] {
  const m = re.exec(text);
  assert.ok(m, `the outputs do not show ${re}`);
  return m.slice(1).map(Number);
}

const close = (actual: number, expected: number, tol: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual}, expected ${expected} ± ${tol}`);

/** Keyed by the prefix of the sample's file name (`NN`, or `NN-k` for part k of a sample in several notebooks); see {@link expectationFor}. */
export const SAMPLE_EXPECTATIONS: Record<string, SampleExpectation> = {
  '01': {
    prints: [/x: 2560,16, positive class: \d+\.\d %/, /standardized std = 1\.000/],
    numbers: (text) => {
      const run = (name: string) => numbersOf(text, new RegExp(`${name}: validation accuracy (\\d+\\.\\d) %; sensitivity RMS first hidden layer (\\S+), last hidden layer (\\S+) \\(ratio (\\S+)\\)`));
      const [sigAcc, sigFirst, sigLast, sigRatio] = run('sigmoid');
      const [reluAcc, , , reluRatio] = run('relu');
      const [seluAcc, , , seluRatio] = run('selu');
      close(sigRatio, sigLast / sigFirst, sigRatio * 0.06, 'sigmoid ratio = last / first');
      // The vanishing-gradient threshold (gradscope.diagnostics.vanishingFactor) is 100.
      assert.ok(sigRatio > 100, `sigmoid sensitivity ratio ${sigRatio} should show vanishing gradients (> 100)`);
      assert.ok(reluRatio < 100 && seluRatio < 100, `ReLU/He and SELU/LeCun keep the ratio under 100: ${reluRatio}, ${seluRatio}`);
      assert.ok(sigAcc < 60, `the sigmoid net stays near chance: ${sigAcc} %`);
      assert.ok(reluAcc > sigAcc && seluAcc > sigAcc, `ReLU (${reluAcc} %) and SELU (${seluAcc} %) learn more than sigmoid (${sigAcc} %)`);
    },
    runs: [
      { cell: "run('sigmoid'", runs: 1, findings: ['vanishing-gradient'] },
      { cell: "run('relu'", runs: 1, absent: ['vanishing-gradient'] },
      { cell: "run('selu'", runs: 1, absent: ['vanishing-gradient'], check: ([s]) => {
        const kinds = s.model.layers.filter((l) => l.className === 'Dense').map((l) => l.activation);
        assert.deepEqual(kinds, [...Array(10).fill('selu'), 'sigmoid'], 'ten SELU hidden layers and a sigmoid output');
      } },
    ],
    // The vanishing-gradient finding's preferred fix, on the model definition.
    lenses: ['Switch sigmoid → ReLU (He init)'],
  },
  '02': {
    // Géron's example: clip g = [0.9, 100] (and h = [3, 4]) at threshold 1.
    prints: [
      /clipvalue: +g → \[0\.9000,1\.0000\]/,
      /clipnorm: +g → \[0\.0090,1\.0000\], h → \[0\.6000,0\.8000\]/,
      // One factor 1 / √(0.9² + 100² + 3² + 4²) = 1 / 100.13 for both tensors.
      /globalClipnorm: g → \[0\.0090,0\.9987\], h → \[0\.0300,0\.0399\] \(one factor 1\/100\.13 for both\)/,
      /the loss became NaN at step \d+/,
    ],
    numbers: (text) => {
      const [globalMax] = numbersOf(text, /globalClipnorm: 1: final loss \S+, steps clipped \d+ %, median norm \S+ → \S+, largest post-clip norm (\S+)/);
      assert.ok(globalMax <= 1.0005, `globalClipnorm 1 bounds every step's global norm by 1: ${globalMax}`);
      const [normMax] = numbersOf(text, /clipnorm: 1: final loss \S+, steps clipped \d+ %, median norm \S+ → \S+, largest post-clip norm (\S+)/);
      // 18 tensors (9 kernels, 9 biases), each clipped to norm 1.
      assert.ok(normMax <= Math.sqrt(18) + 5e-4, `clipnorm 1 bounds the global norm by √18: ${normMax}`);
      for (const name of ['clipvalue', 'clipnorm', 'globalClipnorm']) {
        const [loss] = numbersOf(text, new RegExp(`${name}: 1: final loss (\\S+),`));
        assert.ok(Number.isFinite(loss), `${name} keeps the loss finite: ${loss}`);
      }
    },
    runs: [
      { cell: 'gs.NonFiniteLossError', runs: 1, status: 'failed', findings: ['nan-loss', 'exploding-gradient'] },
      { cell: "['globalClipnorm: 1', { globalClipnorm: 1 }]", runs: 3, absent: ['nan-loss', 'exploding-gradient'], check: (runs) => {
        for (const s of runs) assert.ok(s.training.gradNormPostClip && s.training.gradNormPreClip, 'clipped runs record the norm before and after clipping');
        const last = runs[2].training.gradNormPostClip!.value.filter((v): v is number => v !== null);
        assert.ok(Math.max(...last) <= 1.0005, `globalClipnorm run: post-clip norms ≤ 1 in the health output, max ${Math.max(...last)}`);
      } },
    ],
  },
  '03': {
    // Trainable γ, β and non-trainable moving mean, variance: 2 × 32 units × 10 BN layers each.
    prints: [/BN parameters: trainable 640, non-trainable 640/],
    numbers: (text) => {
      const [plain] = numbersOf(text, /without BN: validation accuracy (\d+\.\d) %/);
      const [bn] = numbersOf(text, /with BN: validation accuracy (\d+\.\d) %/);
      assert.ok(bn > plain, `batch normalization lets the deep sigmoid net learn: ${bn} % vs ${plain} %`);
      // Inference uses the moving statistics: a sample's output does not depend on its batch.
      const [alone, inBatch] = numbersOf(text, /inference: alone (\S+), in a batch of 64 (\S+)/);
      assert.equal(alone, inBatch, 'in inference mode a prediction does not depend on the batch');
      const [train2, train64] = numbersOf(text, /training mode: in a batch of 2 (\S+), among 64 with x₀ > 1 (\S+)/);
      assert.notEqual(train2, train64, 'in training mode a prediction depends on its batchmates');
      // Training mode re-standardizes every batch: the channel means of the BN output equal β.
      const beta = /β \[([^\]]+)\]/.exec(text)![1];
      for (const batch of ['random', 'x₀ > 1 only']) {
        assert.match(text, new RegExp(`${batch.replace(/[>]/g, '\\$&')}\\s+training \\(batch statistics\\)\\s+channel means \\[${beta.replace(/[.[\]-]/g, '\\$&')}\\]`));
      }
    },
    runs: [
      { cell: 'deepSigmoid(false)', runs: 1, findings: ['vanishing-gradient'] },
      { cell: 'deepSigmoid(true)', runs: 1, absent: ['vanishing-gradient'], check: ([s]) => {
        const bnLayers = s.layers.filter((l) => l.batchNorm);
        assert.equal(bnLayers.length, 10, 'the health output compares batch and moving statistics of all 10 BN layers');
        const bnInfo = s.model.layers.filter((l) => l.className === 'BatchNormalization');
        assert.ok(bnInfo.every((l) => l.params.trainable === 64 && l.params.nonTrainable === 64), 'each BN layer: 64 trainable, 64 non-trainable');
      } },
    ],
  },
  '04': {
    prints: [/\d+ steps per epoch, \d+ steps; η₀ = 0\.05/],
    numbers: (text) => {
      const [perEpoch, total] = numbersOf(text, /(\d+) steps per epoch, (\d+) steps; η₀/);
      assert.equal(total % perEpoch, 0, 'whole epochs');
      // Power: η(t) = η₀ / (1 + t/s); exponential: η(t) = η₀ · 0.1^(t/s).
      const [p1, p2] = numbersOf(text, /η\(s\) = (\S+) \(η₀\/2\), η\(2s\) = (\S+) \(η₀\/3\)/);
      close(p1, 0.05 / 2, 1e-9, 'power η(s)');
      close(p2, 0.05 / 3, 1e-5, 'power η(2s)');
      const [e1, e2] = numbersOf(text, /η\(s\/2\) = (\S+) \(η₀\/√10\), η\(s\) = (\S+) \(η₀\/10\)/);
      close(e1, 0.05 / Math.sqrt(10), 1e-5, 'exponential η(s/2)');
      close(e2, 0.005, 1e-6, 'exponential η(s)');
      for (const name of ['constant', 'power', 'exponential']) {
        assert.match(text, new RegExp(`${name} +final val_loss .*history\\.lr = schedule\\.lr\\(t\\) at all ${total} steps: true`));
      }
      for (const m of text.matchAll(/learning rate (\S+) → (\S+)/g)) close(Number(m[2]), Number(m[1]) / 2, 1e-9, 'plateau factor 0.5');
    },
    runs: [{ cell: 'reduceLROnPlateau', runs: 4, check: (runs) => {
      assert.deepEqual(runs.map((s) => s.training.scheduleKind), ['constant', 'power', 'exponential', 'plateau']);
      for (const s of runs) {
        // A downsampled series holds bucket means; every schedule here starts at its maximum η₀, so
        // the first bucket's maximum is η₀ (and the value itself when not downsampled).
        const lr = s.training.lr;
        close((lr.max?.[0] ?? lr.value[0])!, 0.05, 1e-9, `${s.training.scheduleKind}: first LR in the health output`);
      }
      const reduced = runs[3].training.events.filter((e) => e.kind === 'lr-reduced');
      assert.ok(reduced.length > 0, 'the plateau run marks its lr-reduced events');
      const lastLr = runs[1].training.lr.value.filter((v): v is number => v !== null);
      assert.ok(lastLr[lastLr.length - 1] < 0.05 / 2, 'the power schedule has decayed below η₀/2 after 15 epochs');
    } }],
  },
  '05': {
    prints: [/train 160 samples, validation 1000/, /… inference mode: \[1,1,1,1,1,1,1,1,1,1\]/],
    numbers: (text) => {
      const [best, restored] = numbersOf(text, /restored the weights of epoch \d+ \(val_loss (\S+)\)\nval_loss of the restored model, evaluated again: (\S+)/);
      assert.equal(restored, best, 'restoring the best weights gives back the best val_loss');
      const dropped = /training mode: \[([^\]]+)\]/.exec(text)![1].split(',').map(Number);
      // Inverted dropout: kept units are scaled by 1 / (1 − 0.3).
      assert.ok(dropped.every((v) => v === 0 || Math.abs(v - 1 / 0.7) < 1e-3), `dropout outputs 0 or 1/0.7: ${dropped}`);
      const [farStd] = numbersOf(text, /far from all data +predict \S+ +MC mean \S+ ± std (\S+)/);
      const [insideStd] = numbersOf(text, /on the upper moon +predict \S+ +MC mean \S+ ± std (\S+)/);
      assert.ok(farStd > insideStd, `MC dropout is less sure far from the data (std ${farStd}) than inside a moon (${insideStd})`);
    },
    runs: [
      { cell: 'gs.fit(plain,', runs: 1, findings: ['overfitting'] },
      { cell: 'restoreBestWeights', runs: 1, check: ([s]) => {
        const kinds = s.training.events.map((e) => e.kind);
        assert.ok(kinds.includes('early-stop') && kinds.includes('restored-best'), `early-stop and restored-best events: ${kinds}`);
      } },
    ],
  },
  '06-1': {
    // 64·64+64 + 64·32+32 + 32·16+16 + 16·6+6 = 6870 float32 weights = 27 480 bytes, in tfjs-node's layout.
    prints: [/saved: model\.json \(\d+ bytes\), weights\.bin \(27480 bytes\); weights 27480 bytes/, /weights manifest: weights\.bin holds hidden1\/kernel \[64,64\], hidden1\/bias \[64\]/, /identical predictions on all 6000 samples: true/],
    runs: [
      { cell: 'const modelA = tf.sequential', runs: 1, check: ([s]) => {
        assert.ok(s.model.layers.every((l) => l.trainable), 'model A trains every layer');
        assert.deepEqual(s.model.layers.map((l) => l.name), ['hidden1', 'hidden2', 'hidden3', 'outputA']);
      } },
    ],
  },
  '06-2': {
    // Runs after 06-1 (the samples run in name order in one folder): model A is loaded from models/06-base.
    prints: [/frozen: hidden1, hidden2, hidden3/, /Stage 0: [^\n]*hidden1 reused trainable, hidden2 reused trainable, hidden3 reused trainable, outputB new trainable/],
    numbers: (text) => {
      const [moved] = numbersOf(text, /largest change of a frozen weight: (\S+)/);
      assert.equal(moved, 0, 'a frozen layer\'s weights do not move while the head trains');
      const [lr] = numbersOf(text, /new optimizer: \w+ with learning rate (\S+)/);
      close(lr, 0.01 * 0.1, 1e-12, 'fine-tuning rate = 0.01 × lrFactor 0.1');
    },
    runs: [
      { cell: 'gs.transfer.freeze(modelB', runs: 1, absent: ['frozen-all'], check: ([s]) => {
        const layers = s.model.layers;
        assert.deepEqual(layers.map((l) => [l.name, l.trainable, l.reused === true]),
          [['hidden1', false, true], ['hidden2', false, true], ['hidden3', false, true], ['outputB', true, false]],
          'frozen-layer map: the reused layers (from disk) frozen, the new head trains');
        assert.equal(s.model.trainableParams, layers[layers.length - 1].params.trainable, 'trainable parameters = the head\'s');
      } },
      { cell: 'gs.transfer.fineTune(modelB', runs: 1, check: ([s]) => {
        const layers = s.model.layers;
        assert.deepEqual(layers.map((l) => [l.trainable, l.reused === true]), [[false, true], [true, true], [true, true], [true, false]], 'frozen-layer map: the top 3 layers train');
      } },
    ],
  },
  '07': {
    // conv 3×3×1→8: 80, conv 3×3×8→16: 1168, dense 4·4·16→3: 771 (16×16 input, two 2×2 poolings).
    prints: [/parameters: 2019\b/],
    runs: [{ cell: 'tf.layers.conv2d(', runs: 1, check: ([s]) => {
      assert.deepEqual(s.findings.map((f) => f.message), [], 'the sample says a healthy run shows no finding');
      const convs = s.model.layers.filter((l) => l.className === 'Conv2D');
      assert.equal(convs.length, 2);
      assert.ok(convs.every((c) => s.layers.some((l) => l.layer === c.name)), 'the conv layers have per-layer series');
    } }],
  },
};

/** The expectations of the sample file `name`: the entry with the longest key that prefixes it. */
export function expectationFor(name: string): SampleExpectation | undefined {
  const key = Object.keys(SAMPLE_EXPECTATIONS).filter((k) => name.startsWith(`${k}-`)).sort((a, b) => b.length - a.length)[0];
  return key === undefined ? undefined : SAMPLE_EXPECTATIONS[key];
}
