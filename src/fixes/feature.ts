/**
 * The editor side of the findings: squiggles on the layers that caused them, code lenses above the
 * model definition and the fit call, and quick fixes that apply the standard remedies to the cells.
 * Thin by design: every decision is made by the pure functions of plan.ts; this file only turns them
 * into VS Code objects, keeps the latest report per run cell and refreshes when cells change.
 */
import * as vscode from 'vscode';
import type { FindingsReport, Severity } from '../protocol/health';
import { EXPLANATION_SCHEME, explanationOf } from './explanations';
import { diagnosticsFor, fixesFor, lensesFor, type ApplyFixArgs, type CellRange, type CellTexts, type PlannedEdit } from './plan';

/** TypeScript cells of Gradscope and Jupyter notebooks. */
export const FIX_SELECTOR: vscode.DocumentSelector = [
  { notebookType: 'gradscope', language: 'typescript' },
  { notebookType: 'jupyter-notebook', language: 'typescript' },
];

const SEVERITY: Record<Severity, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

function toRange(r: CellRange): vscode.Range {
  return new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
}

function toWorkspaceEdit(edits: readonly PlannedEdit[]): vscode.WorkspaceEdit {
  const we = new vscode.WorkspaceEdit();
  for (const e of edits) we.replace(vscode.Uri.parse(e.cell), toRange(e), e.newText);
  return we;
}

/**
 * Shows the findings of training runs on the cells. The controller calls {@link update} with each
 * findings report and {@link clearCell} when a cell is run again; the instance owns its providers and
 * commands (`gradscope.applyFix`, `gradscope.showHealth`) and disposes them in {@link dispose}.
 *
 * @example
 * const fixes = new FixesFeature();
 * context.subscriptions.push(
 *   fixes,
 *   controller.onFindings((report) => fixes.update(report)),
 *   controller.onCellRun((cell) => fixes.clearCell(cell.document.uri.toString())),
 * );
 */
export class FixesFeature implements vscode.Disposable {
  /** Latest report per cell that ran the training. */
  private readonly reports = new Map<string, FindingsReport>();
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('gradscope');
  private readonly lensesChanged = new vscode.EventEmitter<void>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor() {
    this.disposables.push(
      this.diagnostics,
      this.lensesChanged,
      vscode.languages.registerCodeLensProvider(FIX_SELECTOR, {
        onDidChangeCodeLenses: this.lensesChanged.event,
        provideCodeLenses: (doc) => this.codeLenses(doc),
      }),
      vscode.languages.registerCodeActionsProvider(
        FIX_SELECTOR,
        { provideCodeActions: (doc, _range, context) => this.codeActions(doc, context) },
        { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] },
      ),
      vscode.commands.registerCommand('gradscope.applyFix', (args: ApplyFixArgs) => this.applyFix(args)),
      vscode.commands.registerCommand('gradscope.showHealth', (args?: { cell?: string }) => this.showHealth(args?.cell)),
      vscode.workspace.registerTextDocumentContentProvider(EXPLANATION_SCHEME, {
        provideTextDocumentContent: (uri) => explanationOf(uri.path.replace(/^\//, '').replace(/\.md$/, '')),
      }),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (this.involves(e.document.uri.toString())) this.refresh();
      }),
      vscode.workspace.onDidCloseNotebookDocument((nb) => {
        for (const cell of nb.getCells()) this.reports.delete(cell.document.uri.toString());
        this.refresh();
      }),
    );
  }

  /** Shows a run's findings (replacing the previous report of the same run cell). */
  update(report: FindingsReport): void {
    this.reports.set(report.cell, report);
    this.refresh();
  }

  /** Applies a fix that the gradient-health panel's "Apply" button asked for, by run and finding. */
  applyFromPanel(message: { runId: string; findingIndex: number; fix: ApplyFixArgs['fix'] }): Promise<boolean> {
    const report = [...this.reports.values()].find((r) => r.runId === message.runId);
    return this.applyFix({ reportCell: report?.cell ?? '', runId: message.runId, findingIndex: message.findingIndex, fix: message.fix });
  }

  /** Removes what a previous run of this cell showed (the cell is being run again). */
  clearCell(cellUri: string): void {
    if (this.reports.delete(cellUri)) this.refresh();
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
    this.reports.clear();
  }

  private readonly texts: CellTexts = (cell) =>
    vscode.workspace.textDocuments.find((d) => d.uri.toString() === cell)?.getText();

  private involves(cell: string): boolean {
    for (const r of this.reports.values()) if (r.cell === cell || cell in r.cellText) return true;
    return false;
  }

  private refresh(): void {
    const byCell = new Map<string, vscode.Diagnostic[]>();
    for (const report of this.reports.values()) {
      for (const p of diagnosticsFor(report, this.texts)) {
        const d = new vscode.Diagnostic(toRange(p), p.message, SEVERITY[p.severity]);
        d.source = 'gradscope';
        d.code = { value: p.code, target: vscode.Uri.from({ scheme: EXPLANATION_SCHEME, path: `/${p.code}.md` }) };
        (byCell.get(p.cell) ?? byCell.set(p.cell, []).get(p.cell)!).push(d);
      }
    }
    this.diagnostics.clear();
    for (const [cell, diags] of byCell) this.diagnostics.set(vscode.Uri.parse(cell), diags);
    this.lensesChanged.fire();
  }

  private codeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const cell = doc.uri.toString();
    const out: vscode.CodeLens[] = [];
    for (const report of this.reports.values()) {
      for (const l of lensesFor(report, this.texts)) {
        if (l.cell !== cell) continue;
        out.push(new vscode.CodeLens(new vscode.Range(l.line, 0, l.line, 0), { title: l.title, command: l.command, arguments: [l.args] }));
      }
    }
    return out;
  }

  private codeActions(doc: vscode.TextDocument, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const cell = doc.uri.toString();
    const out: vscode.CodeAction[] = [];
    const seen = new Set<string>();
    for (const report of this.reports.values()) {
      const planned = diagnosticsFor(report, this.texts).filter((p) => p.cell === cell);
      for (const d of context.diagnostics) {
        if (d.source !== 'gradscope') continue;
        const p = planned.find((x) => x.message === d.message && toRange(x).isEqual(d.range));
        if (!p) continue;
        for (const fix of fixesFor(report, p.findingIndex, this.texts)) {
          const key = `${report.cell}#${p.findingIndex}#${fix.id}`;
          if (seen.has(key)) continue;
          seen.add(key);
          const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
          action.diagnostics = [d];
          action.isPreferred = fix.preferred;
          action.edit = toWorkspaceEdit(fix.edits);
          out.push(action);
        }
      }
    }
    return out;
  }

  private async applyFix(args: ApplyFixArgs): Promise<boolean> {
    const report = args && this.reports.get(args.reportCell);
    if (!report || report.runId !== args.runId) {
      void vscode.window.showWarningMessage('Gradscope: this finding is from an earlier run; run the cell again.');
      return false;
    }
    const fix = fixesFor(report, args.findingIndex, this.texts).find((f) => f.id === args.fix);
    if (!fix) {
      void vscode.window.showWarningMessage('Gradscope: the fix no longer applies to the cell as it is now.');
      return false;
    }
    return vscode.workspace.applyEdit(toWorkspaceEdit(fix.edits));
  }

  private async showHealth(cell: string | undefined): Promise<void> {
    if (!cell) return;
    for (const nb of vscode.workspace.notebookDocuments) {
      const index = nb.getCells().findIndex((c) => c.document.uri.toString() === cell);
      if (index < 0) continue;
      const range = new vscode.NotebookRange(index, index + 1);
      const editor = await vscode.window.showNotebookDocument(nb, { selections: [range] });
      editor.revealRange(range, vscode.NotebookEditorRevealType.InCenterIfOutsideViewport);
      return;
    }
  }
}
