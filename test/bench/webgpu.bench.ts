/**
 * Training speed on webgpu (Dawn, on whatever adapter this machine has) against wasm with
 * Gradscope's overrides, side by side in one process: an MLP, a deep net, a small CNN and an LSTM,
 * each trained with `model.fit`. The two backends take turns repeat by repeat, so load from other
 * processes colours them alike; each row is the median over the repeats of wall-clock ms per step
 * (the GPU's time is not this process's CPU time) with the process CPU ms per step in parentheses.
 * The first repeat (shader compilation, buffer pools) is timed separately as the cold start.
 * Prints figures and ratios; asserts nothing about time.
 *
 * Run: node --import tsx test/bench/webgpu.bench.ts [--repeats N] [--only NAME]
 * (GRADSCOPE_DAWN_OPTIONS picks Dawn's backend, e.g. backend=opengles on a machine without Vulkan.)
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { ensureBackendPatches } from '../../src/engine/wasm';
import { startWebGpu, type StartedWebGpu } from '../../src/engine/webgpu';
import { dawnOptionsFromEnv } from '../../src/engine/webgpu/dawn';

interface Case {
  name: string;
  build: () => tf.LayersModel;
  inputShape: number[];
  classes: number;
  batch: number;
  steps: number;
}

const dense = (units: number, activation: string, extra: Record<string, unknown> = {}) =>
  tf.layers.dense({ units, activation: activation as 'relu', ...extra });

const CASES: Case[] = [
  {
    name: 'MLP 784-256-256-10 (adam, batch 128)',
    build: () => tf.sequential({ layers: [dense(256, 'relu', { inputShape: [784] }), dense(256, 'relu'), dense(10, 'softmax')] }),
    inputShape: [784], classes: 10, batch: 128, steps: 8,
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
    inputShape: [784], classes: 10, batch: 128, steps: 8,
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
  },
  {
    name: 'LSTM 20 steps x 16 features, 64 units, dense 5 (adam, batch 64)',
    build: () => tf.sequential({ layers: [tf.layers.lstm({ inputShape: [20, 16], units: 64 }), dense(5, 'softmax')] }),
    inputShape: [20, 16], classes: 5, batch: 64, steps: 4,
  },
];

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function startGpu(): Promise<StartedWebGpu | string> {
  const fromEnv = dawnOptionsFromEnv();
  const why: string[] = [];
  for (const dawnOptions of fromEnv.length ? [fromEnv] : [[], ['backend=opengles']]) {
    try {
      return await startWebGpu(tf, { dawnIndex: require.resolve('webgpu/index.js'), backendModule: require.resolve('@tensorflow/tfjs-backend-webgpu'), dawnOptions });
    } catch (e) {
      why.push(`${dawnOptions.join(',') || 'Dawn default'}: ${(e as Error).message}`);
    }
  }
  return why.join('; ');
}

async function benchCase(c: Case, repeats: number): Promise<void> {
  const backends = ['wasm', 'webgpu'] as const;
  const n = c.batch * c.steps;
  const per = await Promise.all(backends.map(async (b) => {
    await tf.setBackend(b);
    const model = c.build();
    model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
    const x = tf.randomNormal([n, ...c.inputShape]);
    const y = tf.oneHot(tf.randomUniform([n], 0, c.classes, 'int32'), c.classes);
    return { b, model, x, y, wall: [] as number[], cpu: [] as number[], cold: 0 };
  }));
  for (let r = 0; r <= repeats; r++) {
    for (const p of per) {
      await tf.setBackend(p.b);
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      await p.model.fit(p.x, p.y, { batchSize: c.batch, epochs: 1, verbose: 0 });
      const used = process.cpuUsage(c0);
      const wall = (performance.now() - t0) / c.steps;
      if (r === 0) p.cold = wall;
      else {
        p.wall.push(wall);
        p.cpu.push((used.user + used.system) / 1000 / c.steps);
      }
    }
  }
  console.log(`\n${c.name}: ${c.steps} steps per repeat, median of ${repeats}; wall ms/step (CPU ms/step), first repeat`);
  const [wasm, gpu] = per.map((p) => ({ wall: median(p.wall), cpu: median(p.cpu), cold: p.cold }));
  for (const [label, m] of [['wasm, gradscope overrides', wasm], ['webgpu', gpu]] as const) {
    console.log(`  ${label.padEnd(28)} ${m.wall.toFixed(2).padStart(9)} (${m.cpu.toFixed(2)})   first repeat ${m.cold.toFixed(1)} ms/step`);
  }
  console.log(`  webgpu / wasm wall time     ${(gpu.wall / wasm.wall).toFixed(2)}x${gpu.wall < wasm.wall ? ` (webgpu ${(wasm.wall / gpu.wall).toFixed(2)}x faster)` : ''}`);
  await tf.setBackend('wasm');
  for (const p of per) {
    await tf.setBackend(p.b);
    p.model.dispose();
    tf.dispose([p.x, p.y]);
  }
}

async function main(): Promise<void> {
  await tf.setBackend('wasm');
  const report = ensureBackendPatches(tf);
  const gpu = await startGpu();
  if (typeof gpu === 'string') {
    console.log(`webgpu bench skipped: no WebGPU adapter (${gpu})`);
    return;
  }
  await tf.setBackend('wasm');
  ensureBackendPatches(tf);
  console.log(`wasm overrides ${report.overrides}; webgpu on ${gpu.adapter.text}${gpu.adapter.software ? ' (software, no GPU)' : ''}, ` +
    `Dawn ${gpu.dawnOptions.join(',') || 'default backend'}, ${gpu.featureLevel} feature level`);
  const repeats = Number(arg('repeats') ?? 3);
  const only = arg('only');
  for (const c of CASES) if (!only || c.name.toLowerCase().includes(only.toLowerCase())) await benchCase(c, repeats);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
