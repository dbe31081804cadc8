/**
 * The VS Code side of the notebook language service: keeps the language worker (a worker thread,
 * dist/languageWorker.js) in sync with the open notebooks' TypeScript cells and answers completion,
 * hover, signature help, definition, references, rename and diagnostics for them. Served: Gradscope
 * notebooks (cells in {@link CELL_LANGUAGE}) and `.ipynb` notebooks whose kernelspec is Gradscope's
 * (cells in `typescript`; VS Code's own TypeScript is kept out of them by src/language/typescriptPlugin.ts).
 * A notebook is synced and its diagnostics computed as soon as it opens, so the
 * worker is warm before the first completion.
 *
 * ```ts
 * context.subscriptions.push(new NotebookLanguageFeature(context.extensionPath, log));
 * ```
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LanguageClient } from './client';
import { CELL_LANGUAGE } from './languageId';
import type { SyncCell } from './messages';
import { PLUGIN_NAME, type PluginConfig } from './typescriptPlugin';
import type { CellDiagnostic, Location as ServiceLocation, Position as ServicePosition } from './service';

/** Wait after the last edit before diagnostics are computed again. */
const DIAGNOSTICS_DELAY_MS = 300;
/**
 * Tries after a failed diagnostics request (the worker died, or lost a notebook's cells) before the
 * notebook counts as settled without them: a retry syncs every cell again (to a new worker when the
 * old one died). A notebook that gave up is tried again only after its next edit.
 */
const DIAGNOSTICS_RETRIES = 3;
const RETRY_DELAY_MS = 500;

/** The part of the TypeScript extension's API this uses. */
interface TypeScriptExtension {
  getAPI?(version: 0): { configurePlugin(pluginId: string, configuration: unknown): void } | undefined;
}

/** Which cells the providers answer for. */
export const CELL_SELECTOR: vscode.DocumentSelector = [
  { notebookType: 'gradscope', language: CELL_LANGUAGE },
  { notebookType: 'jupyter-notebook', language: 'typescript' },
];

interface Tracked {
  notebook: vscode.NotebookDocument;
  /** Cell id → document version last sent to the worker. */
  sent: Map<string, number>;
  /** Cell ids in the order last sent. */
  order: string[];
  timer?: NodeJS.Timeout;
  generation: number;
  /** Cells that have diagnostics in the collection. */
  shown: Set<string>;
  /** True from an edit until its diagnostics are in the collection (or could not be had). */
  pending: boolean;
  /** Failed diagnostics requests in a row since the last edit. */
  failures: number;
  /** The cells' versions (see {@link cellVersions}) when the diagnostics were given up; undefined otherwise. */
  failedAt?: string;
  waiters: ((served: boolean) => void)[];
}

/** True for an `.ipynb` whose kernelspec is one of Gradscope's kernels. */
function usesGradscopeKernel(nb: vscode.NotebookDocument): boolean {
  const meta = nb.metadata as { metadata?: { kernelspec?: { name?: string } }; custom?: { metadata?: { kernelspec?: { name?: string } } } } | undefined;
  const name = meta?.metadata?.kernelspec?.name ?? meta?.custom?.metadata?.kernelspec?.name;
  return typeof name === 'string' && name.startsWith('gradscope');
}

function isServed(nb: vscode.NotebookDocument): boolean {
  return nb.notebookType === 'gradscope' || (nb.notebookType === 'jupyter-notebook' && usesGradscopeKernel(nb));
}

function isTypeScriptCell(cell: vscode.NotebookCell): boolean {
  const id = cell.document.languageId;
  return cell.kind === vscode.NotebookCellKind.Code && (id === CELL_LANGUAGE || id === 'typescript');
}

/** The served cells and their document versions, as one string (changes with any edit or move). */
function cellVersions(nb: vscode.NotebookDocument): string {
  return nb.getCells().filter(isTypeScriptCell).map((c) => `${c.document.uri.toString()}@${c.document.version}`).join('\n');
}

const KINDS: Record<string, vscode.CompletionItemKind> = {
  keyword: vscode.CompletionItemKind.Keyword,
  script: vscode.CompletionItemKind.File,
  module: vscode.CompletionItemKind.Module,
  class: vscode.CompletionItemKind.Class,
  'local class': vscode.CompletionItemKind.Class,
  interface: vscode.CompletionItemKind.Interface,
  type: vscode.CompletionItemKind.TypeParameter,
  enum: vscode.CompletionItemKind.Enum,
  'enum member': vscode.CompletionItemKind.EnumMember,
  var: vscode.CompletionItemKind.Variable,
  'local var': vscode.CompletionItemKind.Variable,
  let: vscode.CompletionItemKind.Variable,
  const: vscode.CompletionItemKind.Constant,
  function: vscode.CompletionItemKind.Function,
  'local function': vscode.CompletionItemKind.Function,
  method: vscode.CompletionItemKind.Method,
  getter: vscode.CompletionItemKind.Property,
  setter: vscode.CompletionItemKind.Property,
  property: vscode.CompletionItemKind.Property,
  constructor: vscode.CompletionItemKind.Constructor,
  parameter: vscode.CompletionItemKind.Variable,
  'type parameter': vscode.CompletionItemKind.TypeParameter,
  alias: vscode.CompletionItemKind.Variable,
  string: vscode.CompletionItemKind.Text,
  directory: vscode.CompletionItemKind.Folder,
};

/** A completion item with what resolving it needs. */
class CellCompletionItem extends vscode.CompletionItem {
  constructor(label: string, readonly notebook: string, readonly cell: string, readonly offset: number, readonly source?: string, readonly data?: unknown) {
    super(label);
  }
}

function pos(p: ServicePosition): vscode.Position {
  return new vscode.Position(p.line, p.character);
}

function toLocation(l: ServiceLocation): vscode.Location {
  const uri = l.cell ? vscode.Uri.parse(l.cell) : vscode.Uri.file(l.file!);
  return new vscode.Location(uri, new vscode.Range(pos(l.start), pos(l.end)));
}

function toDiagnostic(d: CellDiagnostic): vscode.Diagnostic {
  const severity = d.severity === 'error' ? vscode.DiagnosticSeverity.Error : d.severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Hint;
  const out = new vscode.Diagnostic(new vscode.Range(pos(d.start), pos(d.end)), d.message, severity);
  out.source = 'ts';
  out.code = d.code;
  const tags: vscode.DiagnosticTag[] = [];
  if (d.unnecessary) tags.push(vscode.DiagnosticTag.Unnecessary);
  if (d.deprecated) tags.push(vscode.DiagnosticTag.Deprecated);
  if (tags.length) out.tags = tags;
  return out;
}

/** The notebook language feature; see the file comment. */
export class NotebookLanguageFeature implements vscode.Disposable {
  private readonly client: LanguageClient;
  private readonly tracked = new Map<string, Tracked>();
  private readonly cellOwner = new Map<string, string>();
  private readonly collection = vscode.languages.createDiagnosticCollection('gradscope-typescript');
  private readonly disposables: vscode.Disposable[] = [];

  /** `cacheDir`: the worker's code cache folder (the extension's global storage); none when not given. */
  constructor(extensionPath: string, private readonly log: (line: string) => void = () => undefined, cacheDir?: string) {
    this.client = new LanguageClient(path.join(extensionPath, 'dist', 'languageWorker.js'), log, cacheDir);
    this.client.onRestart = () => {
      for (const t of this.tracked.values()) {
        t.sent.clear();
        t.order = [];
        // Not an edit: a notebook that gave up waits for its next one (its cells may be what kills the worker).
        if (t.failedAt === undefined) this.schedule(t, DIAGNOSTICS_DELAY_MS, true);
      }
    };
    this.disposables.push(
      this.collection,
      vscode.workspace.onDidOpenNotebookDocument((nb) => this.open(nb)),
      vscode.workspace.onDidCloseNotebookDocument((nb) => this.close(nb)),
      vscode.workspace.onDidChangeNotebookDocument((e) => {
        const t = this.tracked.get(e.notebook.uri.toString());
        if (!t) {
          this.open(e.notebook); // the kernelspec of an .ipynb may have just been set
          return;
        }
        // Outputs and execution state change all the time while a cell runs: only cells added,
        // removed or moved, or a cell's text, change what TypeScript sees.
        if (e.contentChanges.length > 0 || e.cellChanges.some((c) => c.document !== undefined)) this.schedule(t);
      }),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document.uri.scheme !== 'vscode-notebook-cell' || e.contentChanges.length === 0) return;
        const owner = this.cellOwner.get(e.document.uri.toString());
        const t = owner && this.tracked.get(owner);
        if (t) this.schedule(t);
      }),
      vscode.workspace.onDidOpenTextDocument((doc) => {
        // A cell whose language was switched (to or from TypeScript) reopens as a new document.
        if (doc.uri.scheme !== 'vscode-notebook-cell') return;
        for (const t of this.tracked.values()) if (t.notebook.getCells().some((c) => c.document === doc)) this.schedule(t);
      }),
      this.registerProviders(),
    );
    for (const nb of vscode.workspace.notebookDocuments) this.open(nb);
  }

  private open(nb: vscode.NotebookDocument): void {
    const key = nb.uri.toString();
    if (this.tracked.has(key) || !isServed(nb)) return;
    const t: Tracked = { notebook: nb, sent: new Map(), order: [], generation: 0, shown: new Set(), pending: true, failures: 0, waiters: [] };
    this.tracked.set(key, t);
    if (nb.notebookType === 'jupyter-notebook') void this.muteBuiltinTypeScript();
    // Warm the worker now: the first program (tfjs's and Node's declarations) takes the longest.
    this.sync(t);
    this.schedule(t, 0);
  }

  private close(nb: vscode.NotebookDocument): void {
    const key = nb.uri.toString();
    const t = this.tracked.get(key);
    if (!t) return;
    clearTimeout(t.timer);
    t.generation++;
    this.tracked.delete(key);
    for (const id of t.shown) this.collection.delete(vscode.Uri.parse(id));
    for (const id of t.order) this.cellOwner.delete(id);
    for (const w of t.waiters.splice(0)) w(false);
    void this.client.request('close', { notebook: key }).catch(() => undefined);
    if (nb.notebookType === 'jupyter-notebook') void this.muteBuiltinTypeScript();
  }

  /** The .ipynb paths last sent to the TypeScript server plugin. */
  private mutedNotebooks = '';

  /**
   * Tells the TypeScript server plugin (src/language/typescriptPlugin.ts) the served `.ipynb`
   * notebooks, whose `typescript` cells VS Code's own TypeScript must leave to this service.
   * Gradscope notebooks need nothing: their cells have a language of their own.
   */
  private async muteBuiltinTypeScript(): Promise<void> {
    const notebooks = [...this.tracked.values()].filter((t) => t.notebook.notebookType === 'jupyter-notebook').map((t) => t.notebook.uri.path).sort();
    const key = notebooks.join('\n');
    if (key === this.mutedNotebooks) return;
    this.mutedNotebooks = key;
    const ext = vscode.extensions.getExtension<TypeScriptExtension>('vscode.typescript-language-features');
    if (!ext) return; // VS Code's TypeScript is disabled: nothing to mute.
    try {
      const api = (await ext.activate())?.getAPI?.(0);
      if (!api) throw new Error('the TypeScript extension offers no plugin API');
      api.configurePlugin(PLUGIN_NAME, { notebooks } satisfies PluginConfig);
    } catch (e) {
      this.log(`could not keep VS Code's TypeScript out of .ipynb cells: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** Sends the cells that changed since the last sync (and the order, when it changed); false when nothing did. */
  private sync(t: Tracked): boolean {
    const cells = t.notebook.getCells().filter(isTypeScriptCell);
    const ids = cells.map((c) => c.document.uri.toString());
    const changed = cells.some((c, i) => t.sent.get(ids[i]) !== c.document.version) || ids.length !== t.order.length || ids.some((id, i) => id !== t.order[i]);
    if (!changed) return false;
    const sync: SyncCell[] = cells.map((c, i) => (t.sent.get(ids[i]) === c.document.version ? { id: ids[i] } : { id: ids[i], text: c.document.getText() }));
    for (const id of t.order) this.cellOwner.delete(id);
    t.sent = new Map(cells.map((c, i) => [ids[i], c.document.version]));
    t.order = ids;
    const key = t.notebook.uri.toString();
    for (const id of ids) this.cellOwner.set(id, key);
    const uri = t.notebook.uri;
    const dir = uri.scheme === 'file' ? path.dirname(uri.fsPath) : (vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? process.cwd());
    void this.client.request('sync', { notebook: key, dir, name: path.basename(uri.path) || 'notebook', cells: sync }).catch((e: Error) => {
      // The worker lost this state: send everything again next time.
      t.sent.clear();
      this.log(`language sync failed: ${e.message}`);
    });
    return true;
  }

  /** `retry`: after a failure (keeps the count of failures); otherwise an edit, which starts the count afresh. */
  private schedule(t: Tracked, delay = DIAGNOSTICS_DELAY_MS, retry = false): void {
    if (!retry) {
      t.failures = 0;
      t.failedAt = undefined;
    }
    clearTimeout(t.timer);
    const generation = ++t.generation;
    t.pending = true;
    t.timer = setTimeout(() => void this.refreshDiagnostics(t, generation), delay);
  }

  /** Computes the diagnostics of every cell, one request per cell so that completions can come in between. */
  private async refreshDiagnostics(t: Tracked, generation: number): Promise<void> {
    this.sync(t);
    const key = t.notebook.uri.toString();
    const ids = [...t.order];
    const results = new Map<string, CellDiagnostic[]>();
    for (const id of ids) {
      if (t.generation !== generation) return;
      try {
        results.set(id, await this.client.request('diagnostics', { notebook: key, cell: id }));
      } catch (e) {
        if (t.generation !== generation || !this.tracked.has(key)) return;
        // Send every cell again: the worker that answers next may not have them.
        t.sent.clear();
        if (++t.failures <= DIAGNOSTICS_RETRIES) {
          this.log(`language diagnostics failed (trying again): ${(e as Error).message}`);
          this.schedule(t, RETRY_DELAY_MS, true);
        } else {
          this.log(`language diagnostics failed ${t.failures} times; this notebook's Problems stay as they were until its next edit: ${(e as Error).message}`);
          t.failedAt = cellVersions(t.notebook);
          t.pending = false;
          for (const w of t.waiters.splice(0)) w(false);
        }
        return;
      }
    }
    if (t.generation !== generation || !this.tracked.has(key)) return;
    t.failures = 0;
    t.failedAt = undefined;
    for (const id of t.shown) if (!results.has(id)) this.collection.delete(vscode.Uri.parse(id));
    t.shown = new Set();
    for (const [id, list] of results) {
      this.collection.set(vscode.Uri.parse(id), list.map(toDiagnostic));
      if (list.length) t.shown.add(id);
    }
    t.pending = false;
    for (const w of t.waiters.splice(0)) w(true);
  }

  /**
   * Resolves true once the diagnostics of the notebook's current cells are in the Problems collection
   * (at once when they are); false when the notebook is not served, is closed first, or its
   * diagnostics could not be computed after retries (the log says why).
   */
  settled(notebook: vscode.NotebookDocument): Promise<boolean> {
    const t = this.tracked.get(notebook.uri.toString());
    if (!t) return Promise.resolve(false);
    // Given up, and not edited since.
    if (t.failedAt !== undefined && t.failedAt === cellVersions(t.notebook)) return Promise.resolve(false);
    // An edit whose change event has not come yet.
    if (this.sync(t)) this.schedule(t, 0);
    if (!t.pending) return Promise.resolve(true);
    return new Promise((resolve) => t.waiters.push(resolve));
  }

  /** The tracked notebook of a cell document, synced, or undefined when the cell is not served. */
  private served(doc: vscode.TextDocument): { key: string; cell: string } | undefined {
    const cell = doc.uri.toString();
    let key = this.cellOwner.get(cell);
    if (!key) {
      const nb = vscode.workspace.notebookDocuments.find((n) => n.getCells().some((c) => c.document === doc));
      if (!nb) return undefined;
      this.open(nb);
      key = nb.uri.toString();
    }
    const t = this.tracked.get(key);
    if (!t) return undefined;
    this.sync(t);
    return t.sent.has(cell) ? { key, cell } : undefined;
  }

  private registerProviders(): vscode.Disposable {
    const at = (doc: vscode.TextDocument, p: vscode.Position) => {
      const s = this.served(doc);
      return s && { notebook: s.key, cell: s.cell, offset: doc.offsetAt(p) };
    };
    const quiet = <T>(promise: Promise<T>, fallback: T): Promise<T> => promise.catch((e: Error) => {
      this.log(`language request failed: ${e.message}`);
      return fallback;
    });
    return vscode.Disposable.from(
      vscode.languages.registerCompletionItemProvider(CELL_SELECTOR, {
        provideCompletionItems: async (doc, position, _token, context) => {
          const q = at(doc, position);
          if (!q) return undefined;
          const list = await quiet(this.client.request('completions', { ...q, trigger: context.triggerCharacter }), undefined);
          if (!list) return undefined;
          const items = list.items.map((e) => {
            const item = new CellCompletionItem(e.name, q.notebook, q.cell, q.offset, e.source, e.data);
            item.kind = KINDS[e.kind] ?? vscode.CompletionItemKind.Property;
            item.sortText = e.sortText;
            if (e.insertText !== undefined) item.insertText = e.insertText;
            if (e.replaceStart !== undefined && e.replaceEnd !== undefined) item.range = new vscode.Range(doc.positionAt(e.replaceStart), doc.positionAt(e.replaceEnd));
            if (e.kindModifiers?.includes('deprecated')) item.tags = [vscode.CompletionItemTag.Deprecated];
            return item;
          });
          return new vscode.CompletionList(items, list.isIncomplete);
        },
        resolveCompletionItem: async (item) => {
          if (!(item instanceof CellCompletionItem)) return item;
          const d = await quiet(this.client.request('completionDetail', {
            notebook: item.notebook, cell: item.cell, offset: item.offset, name: typeof item.label === 'string' ? item.label : item.label.label, source: item.source, data: item.data,
          }), undefined);
          if (d) {
            item.detail = d.detail;
            item.documentation = new vscode.MarkdownString(d.documentation);
          }
          return item;
        },
      }, '.', '"', "'", '/', '@', '<'),
      vscode.languages.registerHoverProvider(CELL_SELECTOR, {
        provideHover: async (doc, position) => {
          const q = at(doc, position);
          const h = q && await quiet(this.client.request('hover', q), undefined);
          if (!h) return undefined;
          const md = new vscode.MarkdownString().appendCodeblock(h.signature, 'typescript');
          if (h.documentation) md.appendMarkdown(`\n\n${h.documentation}`);
          return new vscode.Hover(md, new vscode.Range(pos(h.start), pos(h.end)));
        },
      }),
      vscode.languages.registerSignatureHelpProvider(CELL_SELECTOR, {
        provideSignatureHelp: async (doc, position) => {
          const q = at(doc, position);
          const s = q && await quiet(this.client.request('signatureHelp', q), undefined);
          if (!s) return undefined;
          const help = new vscode.SignatureHelp();
          help.signatures = s.signatures.map((sig) => {
            const info = new vscode.SignatureInformation(sig.label, new vscode.MarkdownString(sig.documentation));
            info.parameters = sig.parameters.map((p) => new vscode.ParameterInformation(p.label, p.documentation || undefined));
            return info;
          });
          help.activeSignature = s.activeSignature;
          help.activeParameter = s.activeParameter;
          return help;
        },
      }, { triggerCharacters: ['(', ','], retriggerCharacters: [')'] }),
      vscode.languages.registerDefinitionProvider(CELL_SELECTOR, {
        provideDefinition: async (doc, position) => {
          const q = at(doc, position);
          return q ? (await quiet(this.client.request('definition', q), [])).map(toLocation) : undefined;
        },
      }),
      vscode.languages.registerReferenceProvider(CELL_SELECTOR, {
        provideReferences: async (doc, position) => {
          const q = at(doc, position);
          return q ? (await quiet(this.client.request('references', q), [])).map(toLocation) : undefined;
        },
      }),
      vscode.languages.registerRenameProvider(CELL_SELECTOR, {
        prepareRename: async (doc, position) => {
          const q = at(doc, position);
          if (!q) throw new Error('Not a TypeScript cell of a Gradscope notebook.');
          const r = await this.client.request('rename', q);
          if ('error' in r) throw new Error(r.error);
          const here = r.locations.find((l) => l.cell === q.cell && l.start.offset <= q.offset && q.offset <= l.end.offset);
          return here ? { range: new vscode.Range(pos(here.start), pos(here.end)), placeholder: r.placeholder } : undefined;
        },
        provideRenameEdits: async (doc, position, newName) => {
          const q = at(doc, position);
          if (!q) return undefined;
          const r = await this.client.request('rename', q);
          if ('error' in r) throw new Error(r.error);
          const edit = new vscode.WorkspaceEdit();
          for (const l of r.locations) edit.replace(vscode.Uri.parse(l.cell!), new vscode.Range(pos(l.start), pos(l.end)), newName);
          return edit;
        },
      }),
    );
  }

  dispose(): void {
    for (const t of this.tracked.values()) {
      clearTimeout(t.timer);
      for (const w of t.waiters.splice(0)) w(false);
    }
    this.tracked.clear();
    for (const d of this.disposables) d.dispose();
    this.client.dispose();
  }
}
