/**
 * The `text/plain` summary of a health snapshot, stored next to the panel's JSON so that Jupyter,
 * GitHub and terminals show the run's state and its findings (id, message, layers, evidence, fixes).
 * Bounded: long messages are cut, and the whole text stays under {@link TEXT_MAX_CHARS}.
 */
import type { HealthSnapshot } from '../../protocol/health';
import { cut, int, num } from './format';

/** Most characters of the summary. */
export const TEXT_MAX_CHARS = 8000;

const ICON = { error: '✖', warning: '⚠', info: 'ℹ' } as const;

/** The header line's loss, saying which loss it is (as the panel's header does). */
function loss(s: HealthSnapshot): string {
  const e = s.training.epochLoss, b = s.training.loss.value;
  const last = b.length ? b[b.length - 1] : undefined;
  const finite = typeof last === 'number' && Number.isFinite(last);
  if (s.status !== 'training' && e.value.length && e.step[e.step.length - 1] === s.progress.epoch + 1 && finite) {
    return `loss ${num(e.value[e.value.length - 1])} (epoch ${e.step[e.step.length - 1]} mean)`;
  }
  return last === undefined ? 'loss —' : `loss ${num(last)} (last batch)`;
}

/**
 * The summary text.
 * @example healthText(snapshot) // 'Gradscope gradient health: finished · epoch 5/5 · …'
 */
export function healthText(s: HealthSnapshot): string {
  const p = s.progress;
  const lines: string[] = [];
  lines.push(`Gradscope gradient health: ${s.status} · epoch ${Math.min(p.epoch + 1, p.epochs)}/${p.epochs} · ${p.totalSteps > 0 ? `step ${int(p.step)}/${int(p.totalSteps)}` : `${int(p.step)} batches of epoch 1 so far (dataset size unknown)`} · ${loss(s)} · backend ${s.backend}`);
  if (s.status === 'failed' && s.error) lines.push(`error: ${cut(s.error, 300)}`);
  // Only layers with weights can be frozen; an InputLayer, Activation or Dropout has nothing to train.
  const layers = s.model.layers.filter((l) => l.className !== 'InputLayer' && (l.hasWeights || l.params.trainable + l.params.nonTrainable > 0));
  lines.push(`model ${s.model.name}: ${layers.filter((l) => l.trainable).length} of ${layers.length} layers with weights trainable, ${int(s.model.trainableParams)} of ${int(s.model.totalParams)} parameters trainable`);
  if (s.probeBatch) lines.push(`probe batch: ${cut(s.probeBatch.description, 200)}`);
  const v = s.training.epochValLoss;
  if (v?.value.length) lines.push(`validation loss (epoch ${v.step[v.step.length - 1]}): ${num(v.value[v.value.length - 1])}`);
  for (const e of s.training.events.slice(-10)) lines.push(`event at step ${e.step} (epoch ${e.epoch + 1}): ${e.kind} — ${cut(e.detail, 200)}`);
  if (s.findings.length === 0) lines.push('No findings.');
  else lines.push(`Findings (${s.findings.length}):`);
  for (const f of s.findings) {
    lines.push(`${ICON[f.severity] ?? '•'} ${f.severity} ${f.code}: ${cut(f.message, 300)}`);
    if (f.layers.length) lines.push(`    layers: ${cut(f.layers.join(', '), 200)}`);
    const ev = Object.entries(f.evidence).map(([k, x]) => `${k} ${typeof x === 'number' ? num(x) : x === null ? 'non-finite' : cut(String(x), 60)}`);
    lines.push(`    evidence: ${cut(ev.join(', '), 300)}`);
    if (f.fixes.length) lines.push(`    suggested fixes: ${f.fixes.join(', ')}`);
  }
  let text = lines.join('\n');
  if (text.length > TEXT_MAX_CHARS) {
    const note = `\n… (cut; the Gradscope panel in VS Code shows all ${s.findings.length} findings)`;
    text = text.slice(0, TEXT_MAX_CHARS - note.length) + note;
  }
  return text;
}
