/**
 * What each sample's markdown promises the user will see, sentence by sentence, and the check of each
 * promise against a real run of the sample: the text it printed and the gradient-health snapshots its
 * panels draw from. A promise quotes its sentence (`says`); the test first finds the quote in the
 * sample's markdown, so a reworded sentence fails until its check is looked at again. Expected values
 * come from what the sentence states, never from a recorded run. Sample 06 has its own tests.
 */
import assert from 'node:assert/strict';
import type { NotebookModel } from '../../../src/notebook/nbformat';
import { HEALTH_MIME, type Finding, type FindingCode, type HealthSnapshot, type Series } from '../../../src/protocol/health';
import { fixTitle } from '../../../src/protocol/fixCatalogue';
import { xMax } from '../../../renderers/charts';
import { lrScale } from '../../../renderers/learningRateChart';
import { COMPARE_PROMISES } from './comparePromises';

/** One run of a sample, as a user sees it. */
export interface SampleRun {
  /** All text the cells printed, in order. */
  text: string;
  nb: NotebookModel;
}

/** One sentence of a sample and its check. */
export interface SamplePromise {
  /** The sentence (or the part that promises something), as in the markdown; whitespace-insensitive. */
  says: string;
  check(run: SampleRun): void;
}

/** The final health snapshots shown by the code cell whose source contains `marker`, in order. */
export function panelsOf(nb: NotebookModel, marker: string): HealthSnapshot[] {
  const cells = nb.cells.filter((c) => c.kind === 'code' && c.source.includes(marker));
  assert.equal(cells.length, 1, `exactly one code cell contains ${JSON.stringify(marker)}`);
  return cells[0].outputs.flatMap((o) => (o.output_type === 'display_data' && HEALTH_MIME in o.data ? [o.data[HEALTH_MIME] as HealthSnapshot] : []));
}

/** The sample's markdown with runs of whitespace as one space. */
export function markdownOf(nb: NotebookModel): string {
  return nb.cells.filter((c) => c.kind === 'markdown').map((c) => c.source).join('\n\n').replace(/\s+/g, ' ');
}

const one = (nb: NotebookModel, marker: string): HealthSnapshot => {
  const p = panelsOf(nb, marker);
  assert.equal(p.length, 1, `one panel in the cell of ${marker}`);
  return p[0];
};
const finding = (s: HealthSnapshot, code: FindingCode): Finding => {
  const f = s.findings.find((x) => x.code === code);
  assert.ok(f, `the panel reports ${code} (it reports: ${s.findings.map((x) => x.code).join(', ') || 'nothing'})`);
  return f;
};
const codes = (s: HealthSnapshot) => s.findings.map((f) => f.code);
const finite = (a: (number | null)[] | undefined): number[] => (a ?? []).filter((v): v is number => v !== null && Number.isFinite(v));
/** Every value a series' points stand for: the values and, when downsampled, the envelopes. */
const allValues = (s: Series): number[] => [...finite(s.value), ...finite(s.min), ...finite(s.max)];
function num(text: string, re: RegExp): number {
  const m = re.exec(text);
  assert.ok(m, `the output shows ${re}`);
  return Number(m[1]);
}

/** Keyed by the two-digit prefix of the sample's file name. */
export const SAMPLE_PROMISES: Record<string, SamplePromise[]> = {
  '01': [
    {
      says: 'look at the *sensitivity by layer* chart (RMS of sᵏ per layer, log scale)',
      check: ({ nb }) => {
        for (const marker of ["run('sigmoid'", "run('relu'", "run('selu'"]) {
          const s = one(nb, marker);
          assert.equal(s.layers.length, 11, `${marker}: a sensitivity series for each of the 11 dense layers`);
          for (const l of s.layers) assert.ok(finite(l.sensitivityRms.value).some((v) => v > 0), `${marker}: ${l.layer} has sensitivities`);
        }
      },
    },
    {
      says: 'The *saturation* chart of the sigmoid run shows almost no saturated units',
      check: ({ nb }) => {
        const s = one(nb, "run('sigmoid'");
        for (const l of s.layers) assert.ok((l.latestSaturation?.saturated ?? 0) <= 0.05, `${l.layer}: ${l.latestSaturation?.saturated} saturated`);
        assert.ok(!codes(s).includes('saturated-sigmoid'));
      },
    },
    {
      says: 'Expect the panel to report **`vanishing-gradient`**: the sensitivity of the first layers is 10⁴ times smaller than near the output or more',
      check: ({ nb }) => {
        const f = finding(one(nb, "run('sigmoid'"), 'vanishing-gradient');
        assert.ok(Number(f.evidence.ratio) >= 1e4, `ratio ${f.evidence.ratio}`);
      },
    },
    {
      says: 'and the validation accuracy stays near chance',
      check: ({ text }) => {
        const positive = num(text, /positive class: ([\d.]+) %/);
        const acc = num(text, /sigmoid: validation accuracy ([\d.]+) %/);
        assert.ok(Math.abs(acc - Math.max(positive, 100 - positive)) < 8, `sigmoid accuracy ${acc} % vs majority class ${Math.max(positive, 100 - positive)} %`);
      },
    },
    {
      says: 'The finding suggests switching the hidden activation to ReLU (or SELU), or adding batch normalization.',
      check: ({ nb }) => {
        const f = finding(one(nb, "run('sigmoid'"), 'vanishing-gradient');
        assert.deepEqual([...f.fixes].sort(), ['activation-relu', 'activation-selu', 'add-batchnorm']);
        assert.equal(f.fixes[0], 'activation-relu', 'ReLU first');
      },
    },
    {
      says: 'The panel should show **no `vanishing-gradient` finding**; its saturation chart shows each SELU layer\'s output mean and standard deviation: the means stay near 0 and the first layer\'s standard deviation near 1, while deeper down it drifts up',
      check: ({ nb }) => {
        const s = one(nb, "run('selu'");
        assert.ok(!codes(s).includes('vanishing-gradient'), codes(s).join(', '));
        const selu = s.layers.filter((l) => l.latestSaturation?.kind === 'selu').map((l) => l.latestSaturation!);
        assert.equal(selu.length, 10);
        for (const x of selu) assert.ok(Math.abs(x.mean!) <= 0.3, `mean ${x.mean}`);
        // Only the first layer is held to 1: from the second on it drifts, by up to about 0.15 already there.
        assert.ok(Math.abs(selu[0].std! - 1) <= 0.15, `first layer's std ${selu[0].std}`);
        assert.ok(selu[selu.length - 1].std! > selu[0].std!, `drifts up: ${selu[0].std} → ${selu[selu.length - 1].std}`);
        const highest = Math.max(...selu.map((x) => x.std!));
        assert.ok(highest >= 1.25 && highest <= 1.7, `about 1.3–1.6 at its highest: ${highest}`);
        // The finding, when it fires, is about exactly that drift: a std above the band it names.
        for (const f of s.findings.filter((x) => x.code === 'selu-not-normalizing')) assert.ok(Number(f.evidence.std) > Number(f.evidence.stdHigh), JSON.stringify(f.evidence));
      },
    },
  ],
  '02': [
    {
      says: 'look at the **gradient norm** chart (global ‖g‖ per step, before clipping) and the loss: the norm grows by orders of magnitude within a few steps, the loss turns `NaN`, and `gs.fit` stops and names the step.',
      check: ({ nb }) => {
        const s = one(nb, 'gs.NonFiniteLossError');
        const pre = s.training.gradNormPreClip;
        assert.ok(pre, 'the panel has the pre-clip gradient norm');
        const norms = finite(pre.value);
        assert.ok(Math.max(...norms) >= 100 * norms[0], `norm grew from ${norms[0]} to ${Math.max(...norms)}`);
        assert.equal(s.status, 'failed');
        const step = num(s.error ?? '', /the loss became NaN at step (\d+)/);
        assert.ok(step <= 20 && s.progress.step <= step + 1, `stopped at step ${s.progress.step}, NaN at ${step}`);
      },
    },
    {
      says: 'Expect the **`nan-loss`** and **`exploding-gradient`** findings, with the fixes *add `clipnorm`* and *divide the learning rate by 10*.',
      check: ({ nb }) => {
        const s = one(nb, 'gs.NonFiniteLossError');
        for (const code of ['nan-loss', 'exploding-gradient'] as const) {
          const f = finding(s, code);
          assert.ok(f.fixes.includes('add-clipnorm') && f.fixes.includes('lr-divide-10'), `${code}: ${f.fixes.join(', ')}`);
        }
      },
    },
    {
      says: '(`history.gradNormPreClip` and `history.gradNormPostClip`, and the two curves of the panel\'s gradient-norm chart)',
      check: ({ nb }) => {
        const runs = panelsOf(nb, "['globalClipnorm: 1', { globalClipnorm: 1 }]");
        assert.equal(runs.length, 3);
        for (const s of runs) {
          const { gradNormPreClip: pre, gradNormPostClip: post } = s.training;
          assert.ok(pre && post && finite(pre.value).length > 0, 'both norm series');
          assert.equal(post.value.length, pre.value.length, 'one post-clip point per pre-clip point');
        }
      },
    },
    {
      says: 'Expect no `nan-loss` and no `exploding-gradient` finding in these three panels.',
      check: ({ nb }) => {
        for (const s of panelsOf(nb, "['globalClipnorm: 1', { globalClipnorm: 1 }]")) {
          assert.equal(s.status, 'finished');
          assert.ok(!codes(s).includes('nan-loss') && !codes(s).includes('exploding-gradient'), codes(s).join(', '));
        }
      },
    },
    {
      says: 'Compare the post-clip norms: about 1 with `globalClipnorm`, at most √(18 tensors) ≈ 4.24 with `clipnorm`',
      check: ({ nb }) => {
        const [, byNorm, byGlobal] = panelsOf(nb, "['globalClipnorm: 1', { globalClipnorm: 1 }]");
        assert.ok(Math.max(...allValues(byGlobal.training.gradNormPostClip!)) <= 1.0005, 'globalClipnorm: post-clip ≤ 1 in the panel');
        assert.ok(Math.max(...allValues(byNorm.training.gradNormPostClip!)) <= Math.sqrt(18) + 5e-4, 'clipnorm: post-clip ≤ √18 in the panel');
      },
    },
    {
      says: 'on this run it learns the least',
      check: ({ text }) => {
        const loss = (name: string) => num(text, new RegExp(`${name}: 1: final loss ([\\d.]+)`));
        assert.ok(loss('clipvalue') > loss('clipnorm') && loss('clipvalue') > loss('globalClipnorm'), 'clipvalue ends with the highest loss');
      },
    },
  ],
  '03': [
    {
      says: 'In the panel, compare the *sensitivity by layer* charts: the slope of many decades (`vanishing-gradient`) flattens.',
      check: ({ nb }) => {
        const f = finding(one(nb, 'deepSigmoid(false)'), 'vanishing-gradient');
        assert.ok(Number(f.evidence.ratio) >= 1e3, `many decades: ${f.evidence.ratio}`);
        assert.ok(!codes(one(nb, 'deepSigmoid(true)')).includes('vanishing-gradient'));
      },
    },
    {
      says: 'The batch-norm rows of the panel show each BN layer\'s latest batch mean and variance against its moving averages.',
      check: ({ nb }) => {
        const s = one(nb, 'deepSigmoid(true)');
        const bnNames = s.model.layers.filter((l) => l.className === 'BatchNormalization').map((l) => l.name);
        assert.equal(bnNames.length, 10);
        for (const name of bnNames) {
          const bn = s.layers.find((l) => l.layer === name)?.batchNorm;
          assert.ok(bn, `${name} has batch-norm statistics`);
          for (const v of [bn.batchMean, bn.batchVar, bn.movingMean, bn.movingVar]) assert.ok(Number.isFinite(v), `${name}: ${JSON.stringify(bn)}`);
          assert.ok(bn.batchVar > 0 && bn.movingVar > 0);
        }
      },
    },
    {
      says: 'Expect `vanishing-gradient` and a validation accuracy near chance.',
      check: ({ nb, text }) => {
        finding(one(nb, 'deepSigmoid(false)'), 'vanishing-gradient');
        const acc = num(text, /without BN: validation accuracy ([\d.]+) %/);
        assert.ok(Math.abs(acc - 50) < 10, `without BN: ${acc} %`);
      },
    },
    {
      says: 'Same depth, same activation, same optimizer. Expect no `vanishing-gradient` finding.',
      check: ({ nb }) => assert.ok(!codes(one(nb, 'deepSigmoid(true)')).includes('vanishing-gradient')),
    },
    {
      says: '(see the model summary below: non-trainable params = 2 × 32 × 10 = 640)',
      check: ({ text }) => {
        assert.equal(num(text, /Non-trainable params: ([\d,]+)/), 640);
        assert.equal((text.match(/^batch_normalization\S*\s.*\s128\s*$/gm) ?? []).length, 10, 'ten BN rows of 128 parameters');
      },
    },
    {
      says: 'In training mode each channel of the output is re-standardized over whatever batch it sees (mean ≈ β, std ≈ γ)',
      check: ({ text }) => {
        const vec = (re: RegExp) => /\[([^\]]+)\]/.exec(re.exec(text)?.[0] ?? '')?.[1].split(',').map(Number) ?? [];
        const gamma = vec(/γ \[[^\]]+\]/);
        for (const batch of ['random', 'x₀ > 1 only']) {
          const row = new RegExp(`${batch.replace('>', '\\>')}\\s+training \\(batch statistics\\)\\s+channel means \\[[^\\]]+\\]\\s+stds \\[([^\\]]+)\\]`).exec(text);
          assert.ok(row, `${batch}: training-mode row`);
          row[1].split(',').map(Number).forEach((s, i) => assert.ok(Math.abs(s - Math.abs(gamma[i])) < 0.02, `${batch} channel ${i}: std ${s} vs γ ${gamma[i]}`));
        }
      },
    },
    {
      says: 'so the skewed batch\'s shift stays visible',
      check: ({ text }) => {
        const means = (batch: string) => new RegExp(`${batch.replace('>', '\\>')}\\s+inference \\(moving averages\\)\\s+channel means \\[([^\\]]+)\\]`).exec(text)![1].split(',').map(Number);
        const shift = Math.max(...means('x₀ > 1 only').map((m, i) => Math.abs(m - means('random')[i])));
        assert.ok(shift > 0.2, `inference means of the skewed batch differ from the random one's by ${shift}`);
      },
    },
  ],
  '04': [
    {
      says: 'as a flat line labelled `constant` when it does not change, on a logarithmic axis when the rates the steps used span more than a factor of 10, and on a linear axis otherwise. The power and exponential runs end above η₀/10, so theirs are linear; the performance run\'s is logarithmic only if the callback halves the rate four times before the last step (0.05 → 0.003; a halving at the end of the last epoch is used by no step).',
      check: ({ nb, text }) => {
        const [constant, power, exponential, plateau] = panelsOf(nb, 'runs.push(');
        // The axis each panel draws (the renderer's own rule), against what the sentence says of each run.
        assert.equal(lrScale(constant), 'constant');
        assert.ok(allValues(constant.training.lr).every((v) => Math.abs(v - 0.05) < 1e-9), 'the constant run\'s rate is 0.05 at every point');
        for (const s of [power, exponential]) {
          const lr = allValues(s.training.lr);
          assert.ok(Math.min(...lr) > 0.05 / 10, `${s.training.scheduleKind} ends above η₀/10: ${Math.min(...lr)}`);
          assert.equal(lrScale(s), 'linear', s.training.scheduleKind);
        }
        const lr = allValues(plateau.training.lr);
        const halvings = num(text, /reduced the rate (\d+) time/);
        const reductions = plateau.training.events.filter((e) => e.kind === 'lr-reduced');
        // Halvings the steps used: those before the last step (an event's step is the last of its epoch).
        const lastStep = plateau.progress.step - 1;
        const used = reductions.filter((e) => e.step < lastStep).length;
        assert.ok(used === halvings || (used === halvings - 1 && reductions.at(-1)!.step === lastStep), `${used} of ${halvings} halvings used`);
        assert.ok(Math.abs(Math.log2(Math.max(...lr) / Math.min(...lr)) - used) < 1e-6, `the drawn rates span 2^${used}`);
        assert.equal(lrScale(plateau), used >= 4 ? 'log' : 'linear', `${used} halvings used`);
        assert.ok(Math.abs(0.05 / 2 ** 4 - 0.003125) < 1e-12, 'four halvings of 0.05 are 0.003');
      },
    },
    {
      says: 'The chart marks each `lr-reduced` event of the plateau callback.',
      check: ({ nb, text }) => {
        const reduced = panelsOf(nb, 'runs.push(')[3].training.events.filter((e) => e.kind === 'lr-reduced');
        assert.equal(reduced.length, num(text, /reduced the rate (\d+) time/), 'one event per printed reduction');
        // Every marker lies on the step axis the chart draws (a marker past its end would be cut off).
        const s = panelsOf(nb, 'runs.push(')[3];
        for (const e of reduced) assert.ok(e.step <= xMax(s), `lr-reduced at step ${e.step}, axis ends at ${xMax(s)}`);
      },
    },
    {
      says: 'the panel\'s `plateau` finding offers exactly these remedies as its fixes: *Reduce the LR on plateau* and *Add an exponential LR schedule*.',
      check: ({ nb }) => {
        // The titles are the quick fixes' own; a plateau finding of these runs carries exactly them.
        assert.deepEqual([fixTitle('add-plateau-callback'), fixTitle('add-exponential-schedule')], ['Reduce the LR on plateau', 'Add an exponential LR schedule']);
        for (const s of panelsOf(nb, 'runs.push(')) {
          for (const f of s.findings.filter((x) => x.code === 'plateau')) assert.deepEqual(f.fixes, ['add-plateau-callback', 'add-exponential-schedule']);
        }
      },
    },
    {
      says: 'Each run\'s panel shows its own learning-rate curve and schedule kind in the legend (`constant`, `power`, `exponential`, `plateau`).',
      check: ({ nb }) => assert.deepEqual(panelsOf(nb, 'runs.push(').map((s) => s.training.scheduleKind), ['constant', 'power', 'exponential', 'plateau']),
    },
    {
      says: 'The constant run\'s panel may even report `overfitting` when its validation loss bounces up at the end while the training loss, still above 0.25, goes on falling',
      check: ({ nb }) => {
        const [constant] = panelsOf(nb, 'runs.push(');
        if (!codes(constant).includes('overfitting')) return;
        const train = finite(constant.training.epochLoss.value);
        assert.ok(train[train.length - 1] > 0.25, `overfitting reported with a training loss of ${train[train.length - 1]}`);
      },
    },
    {
      says: 'the loss curves in the panels show the bouncing directly',
      check: ({ nb }) => {
        // The training-loss points of the last quarter of each run: the constant rate's spread more.
        const spread = (s: HealthSnapshot) => {
          const v = finite(s.training.loss.value);
          const late = v.slice(Math.floor(v.length * 0.75));
          const mean = late.reduce((a, b) => a + b, 0) / late.length;
          return Math.sqrt(late.reduce((a, b) => a + (b - mean) ** 2, 0) / late.length);
        };
        const [constant, , exponential] = panelsOf(nb, 'runs.push(');
        assert.ok(spread(constant) > 1.3 * spread(exponential), `late loss spread: constant ${spread(constant)}, exponential ${spread(exponential)}`);
      },
    },
    {
      says: 'exponential scheduling is a straight line on the log scale; performance scheduling is a staircase whose steps the validation loss decided.',
      check: ({ nb, text }) => {
        const [, , exponential, plateau] = panelsOf(nb, 'runs.push(');
        // A straight line in log(lr) against the step, read where the panel's points are: the rate at
        // each point's step is η₀ · 0.1^(t/s) (points may be bucket means, so allow 2 %).
        const total = num(text, /\d+ steps per epoch, (\d+) steps;/);
        const { step, value } = exponential.training.lr;
        step.forEach((t, i) => assert.ok(Math.abs(Math.log(value[i]! / (0.05 * 0.1 ** (t / total)))) < 0.02, `step ${t}: ${value[i]}`));
        // A staircase: the points sit on the levels 0.05 / 2^k (a downsampled bucket that spans a step
        // holds a mean between two neighbouring levels), and every level down to the last is reached.
        const halvings = num(text, /reduced the rate (\d+) time/);
        const pts = finite(plateau.training.lr.value);
        const k = pts.map((v) => Math.log2(0.05 / v));
        assert.ok(k.every((x, i) => i === 0 || x >= k[i - 1] - 1e-9), 'never rises');
        const last = Math.round(k[k.length - 1]);
        assert.ok(last === halvings || last === halvings - 1, `last level ${last} of ${halvings} halvings`);
        assert.ok(k.every((x) => x >= -1e-9 && x <= last + 1e-9), 'between 0.05 and the last level');
        const onLevel = new Set(k.filter((x) => Math.abs(x - Math.round(x)) < 1e-6).map(Math.round));
        assert.deepEqual([...onLevel].sort((a, b) => a - b), Array.from({ length: last + 1 }, (_, i) => i), 'one level per reduction, plus the start');
      },
    },
  ],
  '05': [
    {
      says: 'this is the **`overfitting`** finding (the validation loss at least 3 epochs past its best and more than 5 % above it, while the training loss is lower than at that best epoch), with two fixes: *add early stopping* and *add dropout*.',
      check: ({ nb }) => {
        const s = one(nb, 'const plain = bigNet()');
        assert.deepEqual(finding(s, 'overfitting').fixes, ['add-early-stopping', 'add-dropout']);
        const val = finite(s.training.epochValLoss?.value);
        const train = finite(s.training.epochLoss.value);
        const best = val.indexOf(Math.min(...val));
        assert.ok(val.length - 1 - best >= 3, `best epoch ${best + 1} of ${val.length}`);
        assert.ok(val[val.length - 1] > 1.05 * val[best]);
        assert.ok(train[train.length - 1] < train[best]);
      },
    },
    {
      says: 'Expect the `overfitting` finding: the training loss goes on falling while the validation loss climbs back from its minimum.',
      check: ({ nb }) => {
        finding(one(nb, 'const plain = bigNet()'), 'overfitting');
      },
    },
    {
      says: 'the panel marks the `early-stop` and `restored-best` events on its charts.',
      check: ({ nb, text }) => {
        const events = one(nb, 'earlyStopping(').training.events;
        assert.ok(events.some((e) => e.kind === 'early-stop'));
        const restored = events.find((e) => e.kind === 'restored-best');
        const epoch = num(text, /restored the weights of epoch (\d+)/);
        assert.ok(restored && restored.detail.includes(`epoch ${epoch}`), `restored-best names epoch ${epoch}: ${restored?.detail}`);
      },
    },
    {
      says: 'small where the training data pin the answer down, and much larger far from the training data',
      check: ({ text }) => {
        const std = (point: string) => num(text, new RegExp(`${point} +predict [\\d.]+ +MC mean [\\d.]+ ± std ([\\d.]+)`));
        assert.ok(std('far from all data') >= 2 * Math.max(std('on the upper moon'), std('on the lower moon')), 'at least twice the spread far from the data');
      },
    },
    {
      says: 'The labels are 15 % flipped, so no classifier can expect more than about 85 % accuracy.',
      check: ({ text }) => {
        for (const m of text.matchAll(/val_loss [\d.]+, val accuracy ([\d.]+) %/g)) assert.ok(Number(m[1]) <= 88, `${m[0]}`);
      },
    },
    {
      says: 'the over-trained network is *confidently* wrong on the noisy points (the cross-entropy of a wrong answer grows with the confidence), while its accuracy can stay close to the others\'.',
      check: ({ text }) => {
        const row = (name: string) => new RegExp(`${name.replace(/[()]/g, '\\$&')}\\s.*val_loss ([\\d.]+), val accuracy ([\\d.]+) %`).exec(text)!.slice(1).map(Number);
        const [plainLoss, plainAcc] = row('40 epochs, no regularization');
        const [esLoss, esAcc] = row('early stopping (weights of epoch');
        assert.ok(plainLoss > esLoss, `over-trained val_loss ${plainLoss} > ${esLoss}`);
        assert.ok(Math.abs(plainAcc - esAcc) < 5, `accuracies ${plainAcc} % and ${esAcc} %`);
      },
    },
  ],
  '07': [
    {
      says: 'the sensitivity of each layer\'s net input (now a feature map: RMS over batch, positions and channels), the weight-gradient norm and the update ratio ‖ΔW‖/‖W‖, and for ReLU layers the fraction of dead units',
      check: ({ nb }) => {
        const s = one(nb, 'tf.layers.conv2d(');
        const convs = s.model.layers.filter((l) => l.className === 'Conv2D');
        assert.equal(convs.length, 2);
        for (const c of convs) {
          const l = s.layers.find((x) => x.layer === c.name);
          assert.ok(l, `${c.name} has series`);
          for (const series of [l.sensitivityRms, l.gradNorm, l.updateRatio]) assert.ok(finite(series.value).some((v) => v > 0));
          if (c.activation === 'relu') assert.equal(typeof l.latestSaturation?.dead, 'number', `${c.name}: dead fraction`);
        }
      },
    },
    {
      says: 'A healthy run shows no finding.',
      check: ({ nb }) => assert.deepEqual(one(nb, 'tf.layers.conv2d(').findings.map((f) => f.message), []),
    },
  ],
};

/** The promise of sample 07 that needs a second run, with `tf.train.adam(0.1)`. */
export const ADAM_01_PROMISE: SamplePromise = {
  says: 'Try `tf.train.adam(0.1)`: the run goes wrong, though not the same way every time (the initial weights and the batch order are random): the loss rises (`lr-too-high`, fix *learning rate ÷ 10*) or the filters of a conv layer die (`dead-relu`, fixes *SELU*, *LeakyReLU*, *ELU* and *learning rate ÷ 10*).',
  check: ({ nb, text }) => {
    const s = one(nb, 'tf.layers.conv2d(');
    const high = s.findings.find((f) => f.code === 'lr-too-high');
    const dead = s.findings.find((f) => f.code === 'dead-relu');
    assert.ok(high || dead, `lr-too-high or dead-relu (the panel reports: ${codes(s).join(', ') || 'nothing'})`);
    if (high) assert.ok(high.fixes.includes('lr-divide-10'), high.fixes.join(', '));
    if (dead) {
      const convs = s.model.layers.filter((l) => l.className === 'Conv2D').map((l) => l.name);
      assert.ok(dead.layers.every((l) => convs.includes(l)), `dead-relu on a conv layer: ${dead.layers.join(', ')}`);
      assert.deepEqual(dead.fixes, ['activation-selu', 'activation-leaky-relu', 'activation-elu', 'lr-divide-10']);
    }
    // The accuracy is not promised: with random initial weights one adam(0.1) run still reached 60 %.
    assert.ok(Number.isFinite(num(text, /test accuracy ([\d.]+) %/)), 'the run prints its test accuracy');
  },
};

// The samples' gs.compare cells (comparePromises.ts).
for (const [k, ps] of Object.entries(COMPARE_PROMISES)) SAMPLE_PROMISES[k].push(...ps);

/** Checks that every promise of `sample` is in its markdown and holds on `run`. */
export function checkPromises(promises: readonly SamplePromise[], run: SampleRun): void {
  const md = markdownOf(run.nb);
  for (const p of promises) {
    const says = p.says.replace(/\s+/g, ' ');
    assert.ok(md.includes(says), `the sample says: ${says}`);
    try {
      p.check(run);
    } catch (e) {
      throw new Error(`the sample promises "${says}", but: ${(e as Error).message}`, { cause: e });
    }
  }
}
