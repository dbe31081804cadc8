/**
 * Training speed on the wasm backend, measured side by side in one process: plain
 * `model.fit` with the stock tfjs-backend-wasm kernels, `model.fit` with Gradscope's overrides,
 * `gs.fit` with them, and the same training step in float32 numpy on its BLAS (a Python subprocess,
 * one BLAS thread like wasm's one thread). Configurations are interleaved repeat by repeat so that
 * load from other processes colours them alike; each row is the median over the repeats of the
 * process CPU time per step (steady when other processes share the cores) with the wall-clock time
 * in parentheses. Prints ratios; asserts nothing about time.
 *
 * Run: node --import tsx test/bench/wasm.bench.ts [--repeats N]
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { ensureBackendPatches } from '../../src/engine/wasm';

type GsFit = (model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor, args: Record<string, unknown>) => Promise<unknown>;

interface Case {
  name: string;
  build: () => tf.LayersModel;
  inputShape: number[];
  classes: number;
  batch: number;
  steps: number;
  /** Printed under the rows. */
  note?: string;
  /** Dense layer sizes and activation for the numpy reference; none for models it does not cover. */
  numpy?: { sizes: number[]; activation: 'relu' | 'elu' };
}

const dense = (units: number, activation: 'relu' | 'elu' | 'softmax', extra: Record<string, unknown> = {}) =>
  tf.layers.dense({ units, activation, ...extra });

const CASES: Case[] = [
  {
    name: 'MLP 784-256-256-10 (adam, batch 128)',
    build: () => tf.sequential({ layers: [dense(256, 'relu', { inputShape: [784] }), dense(256, 'relu'), dense(10, 'softmax')] }),
    inputShape: [784], classes: 10, batch: 128, steps: 16,
    numpy: { sizes: [784, 256, 256, 10], activation: 'relu' },
  },
  {
    name: 'deep net 784-10x100-10, elu + He init (adam, batch 128)',
    build: () => tf.sequential({
      layers: [
        dense(100, 'elu', { inputShape: [784], kernelInitializer: 'heNormal' }),
        ...Array.from({ length: 9 }, () => dense(100, 'elu', { kernelInitializer: 'heNormal' })),
        dense(10, 'softmax'),
      ],
    }),
    inputShape: [784], classes: 10, batch: 128, steps: 16,
    numpy: { sizes: [784, ...Array(10).fill(100), 10], activation: 'elu' },
  },
  {
    name: 'small CNN 28x28x1 conv16-pool-conv32-pool-dense10 (adam, batch 64)',
    build: () => tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 16, kernelSize: 3, activation: 'relu' }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu' }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.flatten(),
        dense(10, 'softmax'),
      ],
    }),
    inputShape: [28, 28, 1], classes: 10, batch: 64, steps: 4,
    note: 'the stock row includes the cpu fallback for Conv2DBackpropFilter (stock wasm has none and cannot train a CNN)',
  },
];

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function loadGsFit(): Promise<GsFit | undefined> {
  for (const path of ['../../src/training', '../../src/training/fit']) {
    try {
      const mod = (await import(path)) as { fit?: GsFit };
      if (typeof mod.fit === 'function') return mod.fit;
    } catch {
      // Not built yet by the training-library engineer: try the next path, else skip the row.
    }
  }
  return undefined;
}

/**
 * The step's matmuls alone on wasm (forward, weight and input gradients as the overrides run them: all
 * on XNNPACK, untransposed) with fixed operands, so XNNPACK's operators stay cached and its packed
 * weights warm: the best case, a floor no kernel-level change can go under.
 */
function matmulFloor(sizes: number[], batch: number, steps: number, repeats: number): number {
  const shapes: [number[], number[]][] = [];
  sizes.slice(0, -1).forEach((fanIn, i) => {
    const fanOut = sizes[i + 1];
    shapes.push([[batch, fanIn], [fanIn, fanOut]], [[fanIn, batch], [batch, fanOut]]);
    if (i > 0) shapes.push([[batch, fanOut], [fanOut, fanIn]]);
  });
  const ops = shapes.map(([a, b]) => [tf.randomNormal(a), tf.randomNormal(b)] as const);
  const cpu: number[] = [];
  for (let r = 0; r <= repeats; r++) {
    const c0 = process.cpuUsage();
    for (let s = 0; s < steps; s++) for (const [a, b] of ops) tf.matMul(a, b).dispose();
    const used = process.cpuUsage(c0);
    if (r > 0) cpu.push((used.user + used.system) / 1000 / steps);
  }
  tf.dispose(ops.flat());
  return median(cpu);
}

function numpyReference(c: Case, repeats: number): { ms: number; cpu: number; matmul: number; label: string } | string {
  const script = join(__dirname, 'numpyMlp.py');
  const cfg = JSON.stringify({ sizes: c.numpy!.sizes, activation: c.numpy!.activation, batch: c.batch, steps: c.steps * 2, repeats });
  const r = spawnSync('python3', [script, cfg], { encoding: 'utf8', env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1' } });
  if (r.error || r.status !== 0) {
    return `numpy reference skipped: ${r.error ? 'python3 not found' : (r.stderr.trim().split('\n').pop() ?? 'failed')}`;
  }
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { msPerStep: number; cpuMsPerStep: number; matmulCpuMsPerStep: number; blas: string };
  return { ms: out.msPerStep, cpu: out.cpuMsPerStep, matmul: out.matmulCpuMsPerStep, label: `numpy + ${out.blas} (1 thread)` };
}

async function benchCase(c: Case, repeats: number, gsFit: GsFit | undefined): Promise<void> {
  const n = c.batch * c.steps;
  const x = tf.randomNormal([n, ...c.inputShape]);
  const y = tf.oneHot(tf.randomUniform([n], 0, c.classes, 'int32'), c.classes);
  const configs: { label: string; overrides: boolean; run: (m: tf.LayersModel) => Promise<unknown> }[] = [
    { label: 'model.fit, stock wasm kernels', overrides: false, run: (m) => m.fit(x, y, { batchSize: c.batch, epochs: 1, verbose: 0 }) },
    { label: 'model.fit, gradscope overrides', overrides: true, run: (m) => m.fit(x, y, { batchSize: c.batch, epochs: 1, verbose: 0 }) },
  ];
  if (gsFit) configs.push({ label: 'gs.fit, gradscope overrides', overrides: true, run: (m) => gsFit(m, x, y, { batchSize: c.batch, epochs: 1 }) });
  const models = configs.map(() => {
    const m = c.build();
    m.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
    return m;
  });
  const wall = configs.map(() => [] as number[]);
  const cpu = configs.map(() => [] as number[]);
  for (let r = 0; r <= repeats; r++) {
    for (let i = 0; i < configs.length; i++) {
      // overrides: false keeps the cpu fallbacks: without them the stock backend cannot train a CNN at all.
      ensureBackendPatches(tf, { overrides: configs[i].overrides });
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      await configs[i].run(models[i]);
      const used = process.cpuUsage(c0);
      if (r > 0) {
        wall[i].push((performance.now() - t0) / c.steps);
        cpu[i].push((used.user + used.system) / 1000 / c.steps);
      }
    }
  }
  ensureBackendPatches(tf, { overrides: true });
  const ms = cpu.map(median);
  const wallMs = wall.map(median);
  console.log(`\n${c.name}: ${c.steps} steps per repeat, median of ${repeats}; CPU ms/step (wall ms/step)`);
  configs.forEach((cfg, i) => {
    const ratio = i === 0 ? '' : `  ${(ms[0] / ms[i]).toFixed(2)}x faster than stock model.fit (wall ${(wallMs[0] / wallMs[i]).toFixed(2)}x)`;
    console.log(`  ${cfg.label.padEnd(40)} ${ms[i].toFixed(2).padStart(8)} (${wallMs[i].toFixed(2)})${ratio}`);
  });
  if (c.note) console.log(`  (${c.note})`);
  if (!gsFit) console.log('  gs.fit row skipped: src/training does not export fit yet');
  else console.log(`  gs.fit / model.fit (both with overrides)   ${(ms[2] / ms[1]).toFixed(3)} (wall ${(wallMs[2] / wallMs[1]).toFixed(3)})`);
  if (c.numpy) {
    const ref = numpyReference(c, repeats);
    if (typeof ref === 'string') console.log(`  ${ref}`);
    else {
      console.log(`  ${ref.label.padEnd(40)} ${ref.cpu.toFixed(2).padStart(8)} (${ref.ms.toFixed(2)})`);
      console.log(`  model.fit with overrides / numpy          ${(ms[1] / ref.cpu).toFixed(2)} (wall ${(wallMs[1] / ref.ms).toFixed(2)}; goal <= 1.3)`);
      if (gsFit) console.log(`  gs.fit with overrides / numpy             ${(ms[2] / ref.cpu).toFixed(2)} (wall ${(wallMs[2] / ref.ms).toFixed(2)})`);
      const floor = matmulFloor(c.numpy.sizes, c.batch, c.steps, repeats);
      console.log(`  the step's matmuls alone, CPU ms: wasm XNNPACK best case ${floor.toFixed(2)}, numpy BLAS ${ref.matmul.toFixed(2)} ` +
        `(${(floor / ref.matmul).toFixed(2)}x); so no wasm step can be under ${(floor / ref.cpu).toFixed(2)}x numpy's whole step`);
    }
  } else {
    console.log('  numpy reference: not implemented for convolutions (dense networks only)');
  }
  models.forEach((m) => m.dispose());
  tf.dispose([x, y]);
}

async function main(): Promise<void> {
  await tf.setBackend('wasm');
  const report = ensureBackendPatches(tf);
  console.log(`backend ${tf.getBackend()}, overrides ${report.overrides}${report.reason ? ` (${report.reason})` : ''}, ` +
    `cpu fallbacks: ${report.fallbacks.join(', ') || 'none'}`);
  const repeats = arg('repeats', 4);
  const only = process.argv.indexOf('--only') > 0 ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
  const gsFit = await loadGsFit();
  for (const c of CASES) if (!only || c.name.toLowerCase().includes(only.toLowerCase())) await benchCase(c, repeats, gsFit);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
