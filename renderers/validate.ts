/**
 * Structural validation of a gradient-health payload before anything is drawn. The renderer gets
 * whatever bytes the output holds (an older kernel, a hand-edited notebook), so it checks every field
 * it reads and reports the first problem as a short path-based message instead of throwing midway.
 */
import { HEALTH_SCHEMA_VERSION, type HealthSnapshot } from '../src/protocol/health';

/** Result of {@link validateSnapshot}. */
export type Validation = { ok: true; snapshot: HealthSnapshot } | { ok: false; error: string };

class Invalid extends Error {}

const STATUSES = ['training', 'stopped', 'finished', 'failed'];

function fail(msg: string): never {
  throw new Invalid(msg);
}
function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function obj(v: unknown, path: string): Record<string, unknown> {
  return isObj(v) ? v : fail(`${path} must be an object`);
}
function num(v: unknown, path: string): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : fail(`${path} must be a finite number`);
}
function str(v: unknown, path: string): string {
  return typeof v === 'string' ? v : fail(`${path} must be a string`);
}
function arr(v: unknown, path: string): unknown[] {
  return Array.isArray(v) ? v : fail(`${path} must be an array`);
}

function series(v: unknown, path: string): void {
  const s = obj(v, path);
  const step = arr(s.step, `${path}.step`);
  const value = arr(s.value, `${path}.value`);
  if (step.length !== value.length) fail(`${path}: step and value have different lengths (${step.length} vs ${value.length})`);
  // Entry types are spot-checked (about 64 per series, first and last included) rather than all of
  // them: a 10 000-step × 50-layer payload has millions. Drawing treats any non-number as a gap.
  const stride = Math.max(1, Math.floor(step.length / 64));
  const at = (i: number) => {
    if (typeof step[i] !== 'number') fail(`${path}.step[${i}] must be a number`);
    if (value[i] !== null && typeof value[i] !== 'number') fail(`${path}.value[${i}] must be a number or null`);
  };
  for (let i = 0; i < step.length; i += stride) at(i);
  if (step.length) at(step.length - 1);
  for (const k of ['min', 'max'] as const) {
    if (s[k] === undefined) continue;
    if (arr(s[k], `${path}.${k}`).length !== step.length) fail(`${path}.${k} must have as many entries as step`);
  }
}

function check(p: unknown): HealthSnapshot {
  const s = obj(p, 'payload');
  if (s.version !== HEALTH_SCHEMA_VERSION) {
    fail(`unsupported schema version ${JSON.stringify(s.version) ?? 'undefined'} (this renderer reads version ${HEALTH_SCHEMA_VERSION})`);
  }
  str(s.runId, 'runId');
  if (!STATUSES.includes(s.status as string)) fail(`status must be one of ${STATUSES.join(', ')}`);
  str(s.backend, 'backend');
  if (s.device !== undefined) str(s.device, 'device');
  if (s.error !== undefined) str(s.error, 'error');
  const pr = obj(s.progress, 'progress');
  for (const k of ['epoch', 'epochs', 'step', 'stepsPerEpoch', 'totalSteps', 'elapsedMs']) num(pr[k], `progress.${k}`);
  if (pr.etaMs !== undefined) num(pr.etaMs, 'progress.etaMs');
  if (s.cost !== undefined) {
    const c = obj(s.cost, 'cost');
    num(c.monitorMs, 'cost.monitorMs');
    num(c.trainMs, 'cost.trainMs');
  }
  const m = obj(s.model, 'model');
  str(m.name, 'model.name');
  num(m.totalParams, 'model.totalParams');
  num(m.trainableParams, 'model.trainableParams');
  arr(m.layers, 'model.layers').forEach((l, i) => {
    const o = obj(l, `model.layers[${i}]`);
    str(o.name, `model.layers[${i}].name`);
    str(o.className, `model.layers[${i}].className`);
    if (typeof o.trainable !== 'boolean') fail(`model.layers[${i}].trainable must be a boolean`);
    const params = obj(o.params, `model.layers[${i}].params`);
    num(params.trainable, `model.layers[${i}].params.trainable`);
    num(params.nonTrainable, `model.layers[${i}].params.nonTrainable`);
  });
  const t = obj(s.training, 'training');
  series(t.lr, 'training.lr');
  series(t.loss, 'training.loss');
  str(t.scheduleKind, 'training.scheduleKind');
  arr(t.events, 'training.events').forEach((e, i) => {
    const o = obj(e, `training.events[${i}]`);
    num(o.step, `training.events[${i}].step`);
    str(o.kind, `training.events[${i}].kind`);
    str(o.detail, `training.events[${i}].detail`);
  });
  arr(s.layers, 'layers').forEach((l, i) => {
    const o = obj(l, `layers[${i}]`);
    str(o.layer, `layers[${i}].layer`);
    for (const k of ['sensitivityRms', 'sensitivityMax', 'gradNorm', 'updateRatio']) series(o[k], `layers[${i}].${k}`);
    if (o.saturation !== undefined) {
      for (const [k, v] of Object.entries(obj(o.saturation, `layers[${i}].saturation`))) series(v, `layers[${i}].saturation.${k}`);
    }
    if (o.latestSaturation !== undefined) str(obj(o.latestSaturation, `layers[${i}].latestSaturation`).kind, `layers[${i}].latestSaturation.kind`);
  });
  arr(s.findings, 'findings').forEach((f, i) => {
    const o = obj(f, `findings[${i}]`);
    str(o.code, `findings[${i}].code`);
    if (!['error', 'warning', 'info'].includes(o.severity as string)) fail(`findings[${i}].severity must be error, warning or info`);
    str(o.message, `findings[${i}].message`);
    arr(o.layers, `findings[${i}].layers`).forEach((n, j) => str(n, `findings[${i}].layers[${j}]`));
    num(obj(o.evidence, `findings[${i}].evidence`).step, `findings[${i}].evidence.step`);
    arr(o.fixes, `findings[${i}].fixes`).forEach((x, j) => str(x, `findings[${i}].fixes[${j}]`));
  });
  return p as HealthSnapshot;
}

/**
 * Checks that `payload` is a {@link HealthSnapshot} this renderer can draw.
 * @example
 * const v = validateSnapshot(item.json());
 * if (!v.ok) showError(v.error); else draw(v.snapshot);
 */
export function validateSnapshot(payload: unknown): Validation {
  try {
    return { ok: true, snapshot: check(payload) };
  } catch (e) {
    if (e instanceof Invalid) return { ok: false, error: e.message };
    throw e;
  }
}
