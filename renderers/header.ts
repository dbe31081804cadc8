/**
 * The panel header: run status, epoch/step with a progress bar and ETA, backend, current learning rate,
 * the loss (named as the last batch's or the last epoch's mean), what the diagnostics cost and the probe
 * batch every per-layer number is measured on (its size and how it was drawn), then one badge per
 * finding, with its id, that expands to its evidence (keys in words) and suggested fixes.
 */
import type { Finding, FixId, HealthSnapshot } from '../src/protocol/health';
import { el, replaceChildren, setText } from './dom';
import { fixText } from './fixText';
import { fmtDuration, fmtInt, fmtNum, lastFinite } from './format';
import type { Section } from './section';
import { evidenceLabel } from './words';

/** Sends a "apply this fix" request to the extension host; undefined when messaging is unavailable. */
export type ApplyFix = (finding: Finding, findingIndex: number, fix: FixId) => void;

// Glyphs present in common UI fonts (emoji fonts are missing in many webviews and on Linux).
const SEVERITY_ICON = { error: '✖', warning: '⚠', info: 'ℹ' } as const;

function findingKey(f: Finding): string {
  return `${f.code}|${f.layers.join(',')}`;
}

/**
 * The header's loss, saying which loss it is: once the run has ended with its last epoch complete,
 * that epoch's mean (what Keras logs print); while it trains, or when it stopped inside an epoch or
 * on a non-finite batch, the last batch's.
 */
export function lossText(s: HealthSnapshot): string {
  const e = s.training.epochLoss;
  const n = e.value.length;
  const b = s.training.loss.value;
  const lastBatch = b.length ? b[b.length - 1] : undefined;
  const batchBad = lastBatch === null || (typeof lastBatch === 'number' && !Number.isFinite(lastBatch));
  if (s.status !== 'training' && n > 0 && e.step[n - 1] === s.progress.epoch + 1 && !batchBad) {
    return `loss ${fmtNum(e.value[n - 1])} (epoch ${e.step[n - 1]} mean)`;
  }
  return lastBatch !== undefined ? `loss ${fmtNum(lastBatch)} (last batch)` : 'loss —';
}

/** Header section; see the module comment. */
export class Header implements Section {
  readonly root: HTMLElement;
  private readonly status = el('span', { class: 'gs-status' });
  private readonly epoch = el('span');
  private readonly step = el('span');
  private readonly bar = el('div');
  private readonly progress = el('span', { class: 'gs-progress', attrs: { role: 'progressbar', 'aria-valuemin': '0', 'aria-valuemax': '100' } }, this.bar);
  private readonly eta = el('span', { class: 'gs-muted' });
  private readonly backend = el('span');
  private readonly lr = el('span');
  private readonly loss = el('span');
  private readonly cost = el('span', { class: 'gs-muted' });
  private readonly probe = el('span', { class: 'gs-muted gs-probe-batch' });
  private readonly error = el('div', { class: 'gs-error-text' });
  private readonly findings = el('div', { class: 'gs-findings', attrs: { role: 'list', 'aria-label': 'Findings' } });
  private readonly expanded = new Set<string>();
  private lastFindingsJson = '';

  constructor(snapshot: HealthSnapshot, private readonly applyFix?: ApplyFix) {
    this.root = el('div', { class: 'gs-head' },
      el('div', { class: 'gs-header' }, this.status, this.epoch, this.step, this.progress, this.eta, this.backend, this.lr, this.loss, this.cost, this.probe),
      this.error, this.findings);
    this.update(snapshot);
  }

  update(s: HealthSnapshot): void {
    const p = s.progress;
    setText(this.status, s.status);
    this.status.className = `gs-status gs-status-${s.status}`;
    setText(this.epoch, `epoch ${Math.min(p.epoch + 1, p.epochs)}/${p.epochs}`);
    // A dataset of unknown size: its first epoch's batches are counted as they come (no total yet).
    setText(this.step, p.totalSteps > 0 ? `step ${fmtInt(p.step)}/${fmtInt(p.totalSteps)}` : `${fmtInt(p.step)} batches of epoch 1 so far (dataset size unknown)`);
    const pct = p.totalSteps > 0 ? Math.max(0, Math.min(100, (100 * p.step) / p.totalSteps)) : 0;
    this.bar.style.width = `${pct}%`;
    this.progress.setAttribute('aria-valuenow', pct.toFixed(0));
    this.progress.setAttribute('aria-label', `${pct.toFixed(0)} % of steps done`);
    const eta = s.status === 'training' && p.etaMs !== undefined ? `, ETA ${fmtDuration(p.etaMs)}` : '';
    setText(this.eta, `${fmtDuration(p.elapsedMs)} elapsed${eta}`);
    setText(this.backend, `backend ${s.backend}${s.device ? ` (${s.device})` : ''}`);
    const lr = lastFinite(s.training.lr.step, s.training.lr.value);
    setText(this.lr, `LR ${lr ? fmtNum(lr.value) : '—'}`);
    setText(this.loss, lossText(s));
    const c = s.cost;
    const share = c && c.trainMs > 0 ? (100 * c.monitorMs) / c.trainMs : undefined;
    setText(this.cost, share === undefined ? '' : `diagnostics' own time ${share < 10 ? share.toFixed(1) : share.toFixed(0)} % of training, probe every ${fmtInt(s.sampleEvery)} steps`);
    this.cost.hidden = share === undefined;
    // Producers before the probe batch was described send none: nothing is claimed then.
    setText(this.probe, s.probeBatch ? `probe batch: ${s.probeBatch.description}` : '');
    this.probe.hidden = !s.probeBatch;
    setText(this.error, s.status === 'failed' && s.error ? s.error : '');
    this.error.hidden = !(s.status === 'failed' && s.error);
    const json = JSON.stringify(s.findings);
    if (json !== this.lastFindingsJson) {
      this.lastFindingsJson = json;
      replaceChildren(this.findings, ...s.findings.map((f, i) => this.badge(f, i)));
    }
  }

  private badge(f: Finding, index: number): HTMLElement {
    const key = findingKey(f);
    const open = this.expanded.has(key);
    const detail = this.detail(f, index);
    detail.hidden = !open;
    const button = el('button', {
      class: `gs-badge gs-sev-${f.severity}`,
      attrs: { type: 'button', 'aria-expanded': String(open) },
    }, `${SEVERITY_ICON[f.severity as keyof typeof SEVERITY_ICON] ?? '•'} ${f.severity} `,
    el('code', { class: 'gs-finding-id', text: f.code }), `: ${f.message}`);
    button.addEventListener('click', () => {
      const now = button.getAttribute('aria-expanded') !== 'true';
      button.setAttribute('aria-expanded', String(now));
      detail.hidden = !now;
      if (now) this.expanded.add(key); else this.expanded.delete(key);
    });
    return el('div', { class: 'gs-finding', attrs: { role: 'listitem' } }, button, detail);
  }

  private detail(f: Finding, index: number): HTMLElement {
    const ev = Object.entries(f.evidence).map(([k, v]) =>
      el('tr', {}, el('th', { text: evidenceLabel(k), attrs: { scope: 'row', style: 'text-align:left;padding-right:12px' } }),
        el('td', { text: typeof v === 'number' ? fmtNum(v) : v === null ? 'non-finite' : String(v) })));
    const fixes = f.fixes.map((id) => el('li', {},
      fixText(id),
      this.applyFix ? el('button', { class: 'gs-apply', text: 'Apply', attrs: { type: 'button', 'data-fix': id } }) : null));
    const box = el('div', { class: 'gs-finding-detail' },
      f.layers.length ? el('div', { class: 'gs-muted', text: `layers: ${f.layers.join(', ')}` }) : null,
      el('table', { class: 'gs-evidence', attrs: { 'aria-label': 'Evidence' } }, el('tbody', {}, ...ev)),
      fixes.length ? el('div', { text: 'Suggested fixes:' }) : null,
      fixes.length ? el('ol', { class: 'gs-fixes' }, ...fixes) : null);
    box.addEventListener('click', (e) => {
      const id = (e.target as HTMLElement).getAttribute?.('data-fix');
      if (id && this.applyFix) this.applyFix(f, index, id as FixId);
    });
    return box;
  }

  retheme(): void {}
  destroy(): void {
    this.root.remove();
  }
}
