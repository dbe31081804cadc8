/**
 * Cost of the gradient-health diagnostics (issue 4): gs.fit with diagnostics off, on at the default
 * (adaptive) sampling, and probing every step, measured side by side in one process. Goals: default
 * vs off ≤ 1.05, every step vs off ≤ 1.5, on the MLP 784-256-256-10 and on a 10-layer deep net
 * (784-100×9-10), batch 128. Each measurement is one gs.fit run of `--steps` steps (the monitor
 * publishes snapshots through onSnapshot at its kernel cadence, so snapshot building is counted);
 * the variants alternate and rotate order each repeat so load from other processes colours them
 * alike. Figures are medians of process CPU time per step (wall-clock in parentheses). Prints
 * ratios of those medians, and the medians of each repeat's own ratios; asserts nothing.
 *
 * --shared-model trains one model in all four variants (each run continues its training) instead of one
 * model per variant, so no difference between model instances can show up as a variant's cost.
 *
 * Run: node --import tsx test/bench/diagnostics.bench.ts [--repeats N] [--steps N] [--backends wasm,cpu] [--shared-model]
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { ensureBackendPatches } from '../../src/training/backend';
import { fit } from '../../src/training/fit';
import { internals } from '../../src/training/modelInternals';
import { clipped } from '../../src/training/optimizers';
import type { HealthSnapshot } from '../../src/protocol/health';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
};
const repeats = Number(arg('repeats', '5'));
const stepsArg = Number(arg('steps', '0'));
const backends = arg('backends', 'wasm').split(',');
const sharedModel = process.argv.includes('--shared-model');
const BATCH = 128;

// 'norms only' isolates what gs.fit itself adds when diagnostics are on: it wraps the optimizer to
// measure the gradient norms every step. Compiling with gs.optimizers.clipped and no clipping option
// is that same wrapper, measuring only, without the monitor.
type Variant = 'off' | 'norms only' | 'default' | 'every step';
const VARIANTS: Variant[] = ['off', 'norms only', 'default', 'every step'];

function build(kind: 'mlp' | 'deep', metered = false): tf.LayersModel {
  let seed = 1;
  const init = () => tf.initializers.heNormal({ seed: seed++ });
  const hidden = kind === 'mlp' ? [256, 256] : Array.from({ length: 9 }, () => 100);
  const layers = hidden.map((units, i) => tf.layers.dense({ units, activation: 'relu', kernelInitializer: init(), ...(i === 0 ? { inputShape: [784] } : {}) }));
  layers.push(tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: seed++ }) }));
  const m = tf.sequential({ layers });
  const adam = tf.train.adam(1e-3);
  m.compile({ optimizer: metered ? clipped(adam) : adam, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return m;
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

async function bench(backend: string, kind: 'mlp' | 'deep'): Promise<void> {
  const steps = stepsArg || (backend === 'cpu' ? 16 : 64);
  const stepsPerEpoch = 16;
  const n = stepsPerEpoch * BATCH;
  const x = tf.randomNormal([n, 784], 0, 1, 'float32', 1);
  const y = tf.oneHot(tf.randomUniform([n], 0, 10, 'int32', 2), 10).toFloat();
  const one = sharedModel ? build(kind) : undefined;
  // With one model, 'norms only' wraps its own Adam (same slots) for the run, as gs.fit does.
  const metered = one ? clipped(internals(one).optimizer_) : undefined;
  const models = new Map(VARIANTS.map((v) => [v, one ?? build(kind, v === 'norms only')]));
  const last = new Map<Variant, HealthSnapshot>();
  const run = async (v: Variant) => {
    if (one && v === 'norms only') internals(one).optimizer_ = metered!;
    try {
      return await fit(models.get(v)!, x, y, {
        epochs: Math.ceil(steps / stepsPerEpoch), batchSize: BATCH,
        diagnostics: v === 'off' || v === 'norms only' ? false : { sampleEvery: v === 'default' ? 0 : 1, onSnapshot: (s) => last.set(v, s), ...(process.env.PROBE_SIZE ? { probeSize: Number(process.env.PROBE_SIZE) } : {}) },
      });
    } finally {
      if (one) internals(one).optimizer_ = metered!.inner;
    }
  };
  for (const v of VARIANTS) await run(v); // warm-up: kernels, optimizer slots
  const times = new Map<Variant, { cpu: number; wall: number }[]>(VARIANTS.map((v) => [v, []]));
  for (let r = 0; r < repeats; r++) {
    const order = VARIANTS.map((_, i) => VARIANTS[(i + r) % VARIANTS.length]);
    for (const v of order) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await run(v);
      const wall = performance.now() - t0;
      const c = process.cpuUsage(c0);
      times.get(v)!.push({ cpu: (c.user + c.system) / 1000 / steps, wall: wall / steps });
    }
  }
  const cpu = (v: Variant) => median(times.get(v)!.map((t) => t.cpu));
  const wall = (v: Variant) => median(times.get(v)!.map((t) => t.wall));
  console.log(`${kind === 'mlp' ? 'MLP 784-256-256-10' : 'deep 784-100x9-10'}, batch ${BATCH}, backend ${backend}, ${steps} steps per run, ${repeats} repeats${one ? ', one shared model' : ''}`);
  for (const v of VARIANTS) {
    const s = last.get(v);
    const probes = s ? s.layers[0].sensitivityRms.step.length : 0;
    console.log(`  ${v.padEnd(10)} ${cpu(v).toFixed(2)} ms/step cpu (${wall(v).toFixed(2)} wall)${s ? `  probes ${probes} of ${steps} steps, sampleEvery ${s.sampleEvery}` : ''}`);
  }
  console.log(`  ratio default / off:    ${(cpu('default') / cpu('off')).toFixed(3)} cpu (${(wall('default') / wall('off')).toFixed(3)} wall)  goal ≤ 1.05`);
  console.log(`  ratio norms only / off:  ${(cpu('norms only') / cpu('off')).toFixed(3)} cpu (${(wall('norms only') / wall('off')).toFixed(3)} wall)  (gs.fit's share)`);
  console.log(`  ratio every step / off: ${(cpu('every step') / cpu('off')).toFixed(3)} cpu (${(wall('every step') / wall('off')).toFixed(3)} wall)  goal ≤ 1.5`);
  // Runs of one variant vary by ±20 % on this shared machine; a repeat's variants run back to back,
  // so the median of per-repeat ratios cancels slow load changes that the ratio of medians keeps.
  const paired = (v: Variant) => median(times.get(v)!.map((t, r) => t.cpu / times.get('off')![r].cpu)).toFixed(3);
  console.log(`  paired (median of per-repeat cpu ratios): default ${paired('default')}, norms only ${paired('norms only')}, every step ${paired('every step')}`);
  // Interference only ever adds time: each variant's fastest run is the closest to its own cost.
  const best = (v: Variant) => Math.min(...times.get(v)!.map((t) => t.cpu));
  const ofBest = (v: Variant) => (best(v) / best('off')).toFixed(3);
  console.log(`  fastest runs (min cpu ms/step ratio): default ${ofBest('default')}, norms only ${ofBest('norms only')}, every step ${ofBest('every step')}`);
  tf.dispose([x, y]);
  for (const m of new Set(models.values())) m.dispose();
}

(async () => {
  for (const backend of backends) {
    await tf.setBackend(backend);
    await tf.ready();
    const patches = ensureBackendPatches(tf);
    console.log(`backend ${backend}, overrides ${patches.overrides}`);
    for (const kind of ['mlp', 'deep'] as const) await bench(backend, kind);
  }
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
