/**
 * The labelled corpus (test/bench/corpus/scenarios.ts), every scenario, on the cpu backend: prints
 * each scenario's findings against the expected ones, precision and recall per finding, and the
 * confusion matrix (the README's Gradient health section shows it). Exits non-zero when any
 * scenario misses an expected finding or gets a false one.
 *
 * With `--seeds N` every scenario runs N seeded draws (initial weights, shuffles, dropout masks):
 * the scores then count draws, and a per-scenario table says in how many draws it went wrong, which
 * is how a finding that rides on one lucky draw shows.
 *
 * Run: node --import tsx test/bench/corpus.bench.ts [--only id,id] [--seeds N] [--json out.json]
 */
import * as tf from '@tensorflow/tfjs';
import { writeFileSync } from 'node:fs';
import { scenarios } from './corpus/scenarios';
import { report, runScenario, sweep, type Outcome } from './corpus/evaluate';

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};

async function main(): Promise<void> {
  await tf.setBackend('cpu');
  const only = arg('only')?.split(',');
  const chosen = only ? scenarios.filter((s) => only.includes(s.id)) : scenarios;
  const seeds = Number(arg('seeds') ?? 1);
  if (!Number.isInteger(seeds) || seeds < 1) throw new Error(`--seeds wants a whole number ≥ 1, got ${arg('seeds')}`);
  const outcomes: Outcome[] = [];
  for (const s of chosen) {
    for (let seed = 0; seed < seeds; seed++) {
      const o = await runScenario(s, seed);
      outcomes.push(o);
      const bad = o.missed.length || o.falsePositives.length || o.wrongLayers.length;
      console.log(`${bad ? '✖' : '✔'} ${s.id}${seeds > 1 ? ` (seed ${seed})` : ''}: expected [${s.expect.join(', ')}], found [${o.found.join(', ')}] (${(o.ms / 1000).toFixed(1)} s)`);
      if (bad) for (const f of o.snapshot.findings) console.log(`    ${f.code}: ${f.message}`);
    }
  }
  const text = seeds > 1 ? sweep(outcomes, seeds) : report(outcomes);
  console.log(`\n${chosen.length} scenarios (${chosen.filter((s) => s.healthy).length} healthy)${seeds > 1 ? `, ${seeds} seeds each` : ''}\n\n${text}`);
  const out = arg('json');
  if (out) writeFileSync(out, JSON.stringify(outcomes.map((o) => ({ id: o.scenario.id, seed: o.seed, expect: o.scenario.expect, found: o.found, findings: o.snapshot.findings })), null, 1));
  if (outcomes.some((o) => o.missed.length || o.falsePositives.length || o.wrongLayers.length)) process.exitCode = 1;
}

void main();
