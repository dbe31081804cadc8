/**
 * The host's side of the panel's comparison bar. It keeps every run a notebook showed this session
 * (the latest health output of each run, kept when the cell is run again and its outputs are
 * cleared; the last {@link MAX_KEPT} runs per notebook) and which run of a cell a fix was applied
 * to. A panel asks what it can compare with (`gradscope.compareOffers`); the answer counts the other
 * runs and names the run before the fix when the panel is the re-run of a fixed cell. "Compare
 * with…" lets the user pick a run (a quick pick); the comparison goes back to the panel, which draws
 * it under itself. Only reads outputs; never edits the notebook.
 */
import * as vscode from 'vscode';
import { HEALTH_MIME, type HealthSnapshot } from '../protocol/health';
import { fixTitle } from '../protocol/fixCatalogue';
import {
  COMPARE_SCHEMA_VERSION, compareRunOf,
  type CompareOfferMessage, type ComparisonMessage, type CompareOffersRequest, type CompareWithMessage,
} from '../protocol/runs';

/** Runs kept per notebook (oldest dropped first). */
export const MAX_KEPT = 20;

/** One run as the host saw it: where it was shown and its latest output bytes (parsed when needed). */
interface SeenRun {
  runId: string;
  cellUri: string;
  status: string;
  bytes: Uint8Array;
  /** Order of first sight, for "oldest first". */
  seq: number;
}

/** A fix applied to a run: its cell's next run offers the comparison with it. */
interface AppliedFix { runId: string; cellUri: string; fix: string }

const PREFIX = /"runId":"((?:[^"\\]|\\.)*)","status":"(\w+)"/;

/** Run id and status of a health output's bytes, read from the start of the JSON when it has the kernel's key order. */
export function peekRun(bytes: Uint8Array): { runId: string; status: string } | undefined {
  const head = new TextDecoder().decode(bytes.subarray(0, 400));
  const m = PREFIX.exec(head);
  if (m) return { runId: JSON.parse(`"${m[1]}"`) as string, status: m[2] };
  try {
    const s = JSON.parse(new TextDecoder().decode(bytes)) as Partial<HealthSnapshot>;
    return typeof s.runId === 'string' && typeof s.status === 'string' ? { runId: s.runId, status: s.status } : undefined;
  } catch {
    return undefined;
  }
}

/** The label a run of cell `index` gets in a comparison. */
const cellLabel = (index: number) => (index >= 0 ? `Cell ${index + 1}` : 'a deleted cell');

/**
 * Answers the comparison bars of the panels.
 * @example
 * const compare = new RunCompare(vscode.notebooks.createRendererMessaging('gradscope.health'));
 * compare.noteFix(runId, reportCell, 'activation-relu');
 */
export class RunCompare implements vscode.Disposable {
  private readonly seen = new Map<string, Map<string, SeenRun>>();
  private readonly fixes = new Map<string, AppliedFix>();
  private readonly disposables: vscode.Disposable[] = [];
  private seq = 0;

  constructor(private readonly messaging: vscode.NotebookRendererMessaging) {
    this.disposables.push(
      messaging.onDidReceiveMessage(({ editor, message }) => void this.receive(editor, message)),
      vscode.workspace.onDidChangeNotebookDocument((e) => {
        for (const c of e.cellChanges) if (c.outputs) this.look(e.notebook, c.cell);
      }),
      vscode.workspace.onDidCloseNotebookDocument((nb) => {
        this.seen.delete(nb.uri.toString());
        for (const cell of nb.getCells()) this.fixes.delete(cell.document.uri.toString());
      }),
    );
  }

  /** A fix was applied to the run `runId` of cell `reportCell`: the cell's next run offers the comparison with it. */
  noteFix(runId: string, reportCell: string, fix: string): void {
    const nb = this.notebookOf(reportCell);
    if (nb) for (const cell of nb.getCells()) this.look(nb, cell);
    this.fixes.set(reportCell, { runId, cellUri: reportCell, fix });
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
    this.seen.clear();
    this.fixes.clear();
  }

  private notebookOf(cellUri: string): vscode.NotebookDocument | undefined {
    return vscode.workspace.notebookDocuments.find((n) => n.getCells().some((c) => c.document.uri.toString() === cellUri));
  }

  /** Records the health outputs a cell shows now. */
  private look(nb: vscode.NotebookDocument, cell: vscode.NotebookCell): void {
    const key = nb.uri.toString();
    let runs = this.seen.get(key);
    for (const output of cell.outputs) {
      for (const item of output.items) {
        if (item.mime !== HEALTH_MIME) continue;
        const id = peekRun(item.data);
        if (!id) continue;
        if (!runs) this.seen.set(key, (runs = new Map()));
        const had = runs.get(id.runId);
        runs.set(id.runId, { ...id, cellUri: cell.document.uri.toString(), bytes: item.data, seq: had?.seq ?? ++this.seq });
      }
    }
    if (runs && runs.size > MAX_KEPT) {
      const oldest = [...runs.values()].sort((a, b) => a.seq - b.seq).slice(0, runs.size - MAX_KEPT);
      for (const r of oldest) runs.delete(r.runId);
    }
  }

  /** The notebook showing (or having shown) run `runId`, with every run it has shown, oldest first. */
  private runsAround(runId: string): { nb: vscode.NotebookDocument; runs: SeenRun[]; me: SeenRun } | undefined {
    for (const nb of vscode.workspace.notebookDocuments) {
      for (const cell of nb.getCells()) this.look(nb, cell);
      const runs = this.seen.get(nb.uri.toString());
      const me = runs?.get(runId);
      if (runs && me) return { nb, runs: [...runs.values()].sort((a, b) => a.seq - b.seq), me };
    }
    return undefined;
  }

  private indexOf(nb: vscode.NotebookDocument, cellUri: string): number {
    return nb.getCells().findIndex((c) => c.document.uri.toString() === cellUri);
  }

  private async receive(editor: vscode.NotebookEditor, message: unknown): Promise<void> {
    const m = message as Partial<CompareOffersRequest | CompareWithMessage> | undefined;
    if (typeof m?.runId !== 'string') return;
    if (m.type === 'gradscope.compareOffers') await this.offer(editor, m.runId);
    else if (m.type === 'gradscope.compareWith') await this.compareWith(editor, m.runId, typeof (m as CompareWithMessage).with === 'string' ? (m as CompareWithMessage).with : undefined);
  }

  /** The run before the fix of `me`'s cell, when `me` is a later run of a fixed cell. */
  private beforeFix(me: SeenRun, runs: SeenRun[]): { fix: AppliedFix; run: SeenRun } | undefined {
    const fix = this.fixes.get(me.cellUri);
    const run = fix && runs.find((r) => r.runId === fix.runId);
    return fix && run && run.runId !== me.runId && run.seq < me.seq ? { fix, run } : undefined;
  }

  private async offer(editor: vscode.NotebookEditor, runId: string): Promise<void> {
    const around = this.runsAround(runId);
    const answer: CompareOfferMessage = { type: 'gradscope.compareOffer', runId, others: around ? around.runs.length - 1 : 0 };
    const before = around && this.beforeFix(around.me, around.runs);
    if (around && before) answer.beforeFix = { runId: before.run.runId, label: cellLabel(this.indexOf(around.nb, before.run.cellUri)), fix: fixTitle(before.fix.fix) };
    await this.messaging.postMessage(answer, editor);
  }

  private async compareWith(editor: vscode.NotebookEditor, runId: string, other: string | undefined): Promise<void> {
    const around = this.runsAround(runId);
    if (!around) {
      void vscode.window.showWarningMessage('Gradscope: this run is no longer in the notebook, so it cannot be compared.');
      return;
    }
    const { nb, runs, me } = around;
    const before = this.beforeFix(me, runs);
    let pick: SeenRun | undefined;
    if (other !== undefined) {
      pick = runs.find((r) => r.runId === other);
      if (!pick) {
        void vscode.window.showWarningMessage('Gradscope: the run to compare with is no longer known (the notebook was closed, or it is older than the last 20 runs).');
        return;
      }
    } else {
      const items = runs.filter((r) => r.runId !== runId).reverse().map((r) => {
        const s = this.parse(r);
        const o = s?.options;
        return {
          label: `${cellLabel(this.indexOf(nb, r.cellUri))}${before?.run.runId === r.runId ? ' — before the fix' : ''}`,
          description: o ? `${o.activations} · ${o.optimizer} ${o.learningRate ?? ''}`.trim() : undefined,
          detail: `${r.status}${s ? ` · ${s.findings.length ? s.findings.map((f) => f.code).join(', ') : 'no findings'}` : ''}`,
          run: r,
        };
      });
      if (!items.length) {
        void vscode.window.showInformationMessage('Gradscope: there is no other run in this notebook to compare with.');
        return;
      }
      pick = (await vscode.window.showQuickPick(items, { title: 'Compare this run with…', placeHolder: 'a run of this notebook (newest first)', matchOnDescription: true }))?.run;
      if (!pick) return;
    }
    const mine = this.parse(me);
    const theirs = this.parse(pick);
    if (!mine || !theirs) {
      void vscode.window.showWarningMessage('Gradscope: a run\'s health output could not be read, so the runs cannot be compared.');
      return;
    }
    const isBefore = before?.run.runId === pick.runId;
    const otherLabel = isBefore ? 'before the fix' : `${cellLabel(this.indexOf(nb, pick.cellUri))}${pick.cellUri === me.cellUri ? ', earlier run' : ''}`;
    const answer: ComparisonMessage = {
      type: 'gradscope.comparison', runId,
      title: isBefore ? `This run vs the run before the fix (${fixTitle(before!.fix.fix)})` : `This run vs ${otherLabel}`,
      payload: { version: COMPARE_SCHEMA_VERSION, runs: [compareRunOf(theirs, otherLabel), compareRunOf(mine, 'this run')] },
    };
    await this.messaging.postMessage(answer, editor);
  }

  private parse(r: SeenRun): HealthSnapshot | undefined {
    try {
      return JSON.parse(new TextDecoder().decode(r.bytes)) as HealthSnapshot;
    } catch {
      return undefined;
    }
  }
}
