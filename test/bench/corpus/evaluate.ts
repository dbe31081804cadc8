/**
 * Scores the corpus: for each scenario, the findings it got against those expected (true positives,
 * misses) and those neither expected nor allowed (false positives); per finding code, precision and
 * recall; and the confusion matrix of expected against found codes, scenario by scenario.
 */
import * as tf from '@tensorflow/tfjs';
import type { FindingCode, HealthSnapshot } from '../../../src/protocol/health';
import type { Scenario } from './scenarios';

export interface Outcome {
  scenario: Scenario;
  found: FindingCode[];
  /** Expected and found. */
  hits: FindingCode[];
  /** Expected, not found. */
  missed: FindingCode[];
  /** Found, neither expected nor allowed. */
  falsePositives: FindingCode[];
  /** A finding that named other layers than the scenario says it must. */
  wrongLayers: string[];
  ms: number;
  seed: number;
  snapshot: HealthSnapshot;
}

/** Runs one scenario (its seeded draw `seed`, default 0) on the cpu backend and scores it. */
export async function runScenario(s: Scenario, seed = 0): Promise<Outcome> {
  const t0 = performance.now();
  const snapshot = await scoped(s, seed);
  const ms = performance.now() - t0;
  const found = [...new Set(snapshot.findings.map((f) => f.code))];
  const allowed = new Set([...s.expect, ...(s.allow ?? [])]);
  const wrongLayers: string[] = [];
  for (const [code, want] of Object.entries(s.layers ?? {})) {
    const f = snapshot.findings.find((x) => x.code === code);
    if (!f) continue;
    const names = f.layers.map((n) => n.replace(/_\d+$/, ''));
    if (!want!.every((w) => names.includes(w)) || names.some((n) => !want!.includes(n))) wrongLayers.push(`${code}: ${f.layers.join(', ')} (want ${want!.join(', ')})`);
  }
  return {
    scenario: s, found, snapshot, ms, seed, wrongLayers,
    hits: s.expect.filter((c) => found.includes(c)),
    missed: s.expect.filter((c) => !found.includes(c)),
    falsePositives: found.filter((c) => !allowed.has(c)),
  };
}

/** Runs the scenario inside a tfjs scope so its tensors are freed after it. */
async function scoped(s: Scenario, seed: number): Promise<HealthSnapshot> {
  tf.engine().startScope();
  try {
    return await s.run(seed);
  } finally {
    tf.engine().endScope();
  }
}

export interface CodeScore {
  code: FindingCode;
  tp: number;
  fp: number;
  fn: number;
  precision: number;
  recall: number;
}

/** Precision and recall per finding code over the outcomes (codes that occur anywhere). */
export function scores(outcomes: Outcome[]): CodeScore[] {
  const codes = new Set<FindingCode>();
  for (const o of outcomes) for (const c of [...o.scenario.expect, ...o.found]) codes.add(c);
  return [...codes].sort().map((code) => {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (const o of outcomes) {
      if (o.hits.includes(code)) tp++;
      if (o.falsePositives.includes(code)) fp++;
      if (o.missed.includes(code)) fn++;
    }
    return { code, tp, fp, fn, precision: tp + fp ? tp / (tp + fp) : NaN, recall: tp + fn ? tp / (tp + fn) : NaN };
  });
}

/**
 * The confusion matrix: one row per expected label (a finding code, or `healthy` for scenarios that
 * expect none), one column per finding found (and `none`), counting scenarios. Allowed companions
 * count in their column too, marked apart in the per-scenario table.
 */
export function confusion(outcomes: Outcome[]): { rows: string[]; cols: string[]; cells: number[][] } {
  const rowsSet = new Set<string>();
  const colsSet = new Set<string>();
  for (const o of outcomes) {
    for (const r of o.scenario.expect.length ? o.scenario.expect : ['healthy']) rowsSet.add(r);
    for (const c of o.found.length ? o.found : ['none']) colsSet.add(c);
  }
  const rows = [...rowsSet].sort((a, b) => (a === 'healthy' ? -1 : b === 'healthy' ? 1 : a.localeCompare(b)));
  const cols = [...colsSet].sort((a, b) => (a === 'none' ? -1 : b === 'none' ? 1 : a.localeCompare(b)));
  const cells = rows.map(() => cols.map(() => 0));
  for (const o of outcomes) {
    for (const r of o.scenario.expect.length ? o.scenario.expect : ['healthy']) {
      for (const c of o.found.length ? o.found : ['none']) cells[rows.indexOf(r)][cols.indexOf(c)]++;
    }
  }
  return { rows, cols, cells };
}

const fmt = (v: number) => (Number.isNaN(v) ? '–' : v.toFixed(2));

/** The report: per scenario, per code, and the confusion matrix, as Markdown tables. */
export function report(outcomes: Outcome[]): string {
  const lines: string[] = [];
  lines.push('| scenario | expected | found | verdict | s |', '| --- | --- | --- | --- | --- |');
  for (const o of outcomes) {
    const bad = o.missed.length || o.falsePositives.length || o.wrongLayers.length;
    const verdict = bad
      ? [o.missed.length ? `missed ${o.missed.join(', ')}` : '', o.falsePositives.length ? `false ${o.falsePositives.join(', ')}` : '', o.wrongLayers.length ? `wrong layers ${o.wrongLayers.join('; ')}` : ''].filter(Boolean).join('; ')
      : 'ok';
    lines.push(`| ${o.scenario.id} | ${o.scenario.expect.join(', ') || '—'} | ${o.found.join(', ') || '—'} | ${verdict} | ${(o.ms / 1000).toFixed(1)} |`);
  }
  lines.push('', '| finding | TP | FP | FN | precision | recall |', '| --- | --- | --- | --- | --- | --- |');
  for (const s of scores(outcomes)) lines.push(`| ${s.code} | ${s.tp} | ${s.fp} | ${s.fn} | ${fmt(s.precision)} | ${fmt(s.recall)} |`);
  const m = confusion(outcomes);
  lines.push('', `| expected ↓ / found → | ${m.cols.join(' | ')} |`, `| --- | ${m.cols.map(() => '---').join(' | ')} |`);
  m.rows.forEach((r, i) => lines.push(`| ${r} | ${m.cells[i].map((v) => (v ? String(v) : '·')).join(' | ')} |`));
  return lines.join('\n');
}

/**
 * A seed sweep's report: per scenario, in how many of its draws each expected finding was missed and
 * each false finding appeared; then the per-code scores and the matrix over all draws.
 */
export function sweep(outcomes: Outcome[], seeds: number): string {
  const lines: string[] = ['| scenario | expected | draws ok | missed (draws) | false (draws) |', '| --- | --- | --- | --- | --- |'];
  const ids = [...new Set(outcomes.map((o) => o.scenario.id))];
  const tally = (xs: string[]) => {
    const n = new Map<string, number>();
    for (const x of xs) n.set(x, (n.get(x) ?? 0) + 1);
    return [...n].map(([k, v]) => `${k} ${v}/${seeds}`).join(', ') || '—';
  };
  for (const id of ids) {
    const os = outcomes.filter((o) => o.scenario.id === id);
    const ok = os.filter((o) => !o.missed.length && !o.falsePositives.length && !o.wrongLayers.length).length;
    lines.push(`| ${id} | ${os[0].scenario.expect.join(', ') || '—'} | ${ok}/${os.length} | ${tally(os.flatMap((o) => o.missed))} | ${tally(os.flatMap((o) => o.falsePositives))} |`);
  }
  lines.push('', '| finding | TP | FP | FN | precision | recall |', '| --- | --- | --- | --- | --- | --- |');
  for (const s of scores(outcomes)) lines.push(`| ${s.code} | ${s.tp} | ${s.fp} | ${s.fn} | ${fmt(s.precision)} | ${fmt(s.recall)} |`);
  return lines.join('\n');
}
