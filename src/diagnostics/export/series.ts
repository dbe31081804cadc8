/**
 * `gs.exportSeries`: a run's series as CSV or JSON, for spreadsheets, pandas or any plotting tool.
 * The run is what `gs.fit` returned (its history: every step's loss, learning rate and gradient
 * norms at full resolution, and the epoch logs), a health monitor or its snapshot (also the metrics
 * and the per-layer series, downsampled as the panel shows them, with their min/max envelope).
 *
 * CSV has one row per point: `series,layer,axis,step,value,min,max` (`axis` is `step` or `epoch`;
 * `layer` empty for the run's own series; `min`/`max` only for downsampled points; non-finite values
 * written as `NaN`, `Infinity`, `-Infinity`). JSON is `{ version: 1, source, runId?, series: [{ name,
 * layer?, axis, step, value, min?, max? }] }` with null for non-finite values.
 *
 * @example
 * ```ts
 * const h = await gs.fit(model, x, y, { epochs: 5 });
 * await gs.exportSeries(h, { path: 'runs/run1.csv' });   // format from the extension
 * const json = await gs.exportSeries(monitor, { format: 'json' }); // returned, not written
 * ```
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import type { HealthSnapshot, Series } from '../../protocol/health';
import { FitHistory } from '../../training/history';
import { HealthMonitor } from '../monitor';

/** Arguments of {@link exportSeries}. */
export interface ExportSeriesArgs {
  /** `'csv'` or `'json'`. Defaults to the extension of `path` (`.csv`, `.json`), else `'csv'`. */
  format?: 'csv' | 'json';
  /** Also write the text to this file (its folder is created). Defaults to none: only returned. */
  path?: string;
}

/** One exported series. */
export interface ExportedSeries {
  name: string;
  layer?: string;
  axis: 'step' | 'epoch';
  step: number[];
  value: (number | null)[];
  min?: (number | null)[];
  max?: (number | null)[];
}

const finite = (v: number) => (Number.isFinite(v) ? v : null);

function fromHistory(h: FitHistory): ExportedSeries[] {
  const p = (h.params ?? {}) as { initialEpoch?: number; steps?: number };
  const first = (p.initialEpoch ?? 0) * (p.steps ?? 0);
  const perStep = (name: string, vs: number[] | undefined): ExportedSeries[] =>
    vs && vs.length ? [{ name, axis: 'step', step: vs.map((_, i) => first + i), value: vs.map(finite) }] : [];
  const out = [...perStep('loss', h.batchLoss), ...perStep('lr', h.lr), ...perStep('gradNormPreClip', h.gradNormPreClip), ...perStep('gradNormPostClip', h.gradNormPostClip)];
  for (const [k, vs] of Object.entries(h.history)) {
    out.push({ name: `epoch/${k}`, axis: 'epoch', step: h.epoch.map((e) => e + 1), value: (vs as number[]).map((v) => finite(Number(v))) });
  }
  return out;
}

function fromSnapshot(s: HealthSnapshot): ExportedSeries[] {
  const out: ExportedSeries[] = [];
  const add = (name: string, x: Series | undefined, axis: 'step' | 'epoch', layer?: string) => {
    if (!x || x.step.length === 0) return;
    out.push({ name, ...(layer !== undefined ? { layer } : {}), axis, step: x.step, value: x.value, ...(x.min ? { min: x.min } : {}), ...(x.max ? { max: x.max } : {}) });
  };
  const t = s.training;
  add('loss', t.loss, 'step');
  add('lr', t.lr, 'step');
  add('gradNormPreClip', t.gradNormPreClip, 'step');
  add('gradNormPostClip', t.gradNormPostClip, 'step');
  for (const [k, x] of Object.entries(t.metrics)) add(`metrics/${k}`, x, 'step');
  add('epoch/loss', t.epochLoss, 'epoch');
  add('epoch/val_loss', t.epochValLoss, 'epoch');
  for (const [k, x] of Object.entries(t.epochMetrics ?? {})) add(`epoch/${k}`, x, 'epoch');
  for (const l of s.layers) {
    add('sensitivityRms', l.sensitivityRms, 'step', l.layer);
    add('sensitivityMax', l.sensitivityMax, 'step', l.layer);
    add('gradNorm', l.gradNorm, 'step', l.layer);
    add('updateRatio', l.updateRatio, 'step', l.layer);
  }
  return out;
}

const csvField = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
const csvNum = (v: number | null | undefined) => (v === undefined ? '' : v === null ? 'NaN' : String(v));

/** The CSV text of `series` (see the module comment). */
export function seriesToCSV(series: ExportedSeries[]): string {
  const lines = ['series,layer,axis,step,value,min,max'];
  for (const s of series) {
    const head = `${csvField(s.name)},${csvField(s.layer ?? '')},${s.axis}`;
    for (let i = 0; i < s.step.length; i++) lines.push(`${head},${s.step[i]},${csvNum(s.value[i])},${csvNum(s.min?.[i])},${csvNum(s.max?.[i])}`);
  }
  return lines.join('\n') + '\n';
}

/**
 * Exports `run`'s series as CSV or JSON (see the module comment and {@link ExportSeriesArgs}) and
 * returns the text; with `path`, writes it there too.
 */
export async function exportSeries(run: FitHistory | HealthMonitor | HealthSnapshot, args: ExportSeriesArgs = {}): Promise<string> {
  const who = 'gs.exportSeries';
  for (const k of Object.keys(args)) if (k !== 'format' && k !== 'path') throw new Error(`${who}: unknown option \`${k}\` (known: format, path)`);
  if (args.path !== undefined && (typeof args.path !== 'string' || args.path.trim() === '')) throw new Error(`${who}: \`path\` must be a file path, got ${JSON.stringify(args.path)}`);
  const ext = args.path ? extname(args.path).toLowerCase() : '';
  const fromExt = ext === '.csv' ? 'csv' : ext === '.json' ? 'json' : undefined;
  if (args.path && !fromExt && !args.format) throw new Error(`${who}: cannot tell the format from '${args.path}' (extension '${ext}'): name a .csv or .json file or pass \`format\``);
  if (args.format !== undefined && args.format !== 'csv' && args.format !== 'json') throw new Error(`${who}: \`format\` must be 'csv' or 'json', got ${JSON.stringify(args.format)}`);
  if (args.format && fromExt && args.format !== fromExt) throw new Error(`${who}: \`format: '${args.format}'\` does not match the file '${args.path}'; use a .${args.format} name or leave \`format\` out`);
  const format = args.format ?? fromExt ?? 'csv';
  let series: ExportedSeries[];
  let source: 'history' | 'snapshot';
  let runId: string | undefined;
  if (run instanceof FitHistory) {
    series = fromHistory(run);
    source = 'history';
  } else if (run instanceof HealthMonitor || (typeof run === 'object' && run !== null && 'runId' in run && 'training' in run)) {
    const snap = run instanceof HealthMonitor ? run.snapshot() : run;
    series = fromSnapshot(snap);
    source = 'snapshot';
    runId = snap.runId;
  } else {
    throw new Error(`${who}: the run must be what gs.fit returned, a gs.diagnostics.healthMonitor or its snapshot(), got ${run === null ? 'null' : typeof run}`);
  }
  const text = format === 'csv' ? seriesToCSV(series) : JSON.stringify({ version: 1, source, ...(runId ? { runId } : {}), series }, null, 1) + '\n';
  if (args.path) {
    const abs = resolve(args.path);
    try {
      await mkdir(dirname(abs), { recursive: true });
      await writeFile(abs, text);
    } catch (e) {
      throw new Error(`${who}: cannot write '${args.path}' (${abs}): ${(e as Error).message}`);
    }
  }
  return text;
}
