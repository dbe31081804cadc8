/**
 * One TypeScript language service per notebook, with the kernel's semantics: every code cell is a
 * virtual file of one program, in document order, bound as a classic script rather than a module, so
 * that a cell's top-level names (imports included) are globals that every other cell sees, as they
 * are in the kernel. Positions in a cell file are positions in the cell's text, one to one.
 *
 * A cell with an `import` would be a module to TypeScript (and its names private to it); the service
 * clears the parsed file's `externalModuleIndicator` before the program binds it, which is what makes
 * it a script. That is a TypeScript internal: the unit tests pin the behaviour of the pinned version.
 *
 * `gradscope` and `@tensorflow/*` resolve to the shipped declarations (the kernel's own engine and
 * library, whatever the workspace has); other packages resolve from the notebook's folder upwards, as
 * the kernel's `require` does. The kernel's globals come from a prelude (src/language/prelude.ts).
 *
 * ```ts
 * const service = new NotebookService({ dir: '/work', name: 'train.tfnb' });
 * service.setCells([{ id: 'a', text: "import * as gs from 'gradscope';" }, { id: 'b', text: 'gs.' }]);
 * service.completions('b', 3); // gs.fit, gs.schedules, …
 * ```
 */
import { builtinModules } from 'node:module';
import * as path from 'node:path';
import ts from 'typescript';
import { NODE_GLOBALS, PRELUDE } from './prelude';
import { isMoot, namesRedeclaredWithOtherTypes, statementUses, topLevelNames } from './diagnosticFilter';
import { findTypesRoot } from './typesRoot';

/** A code cell as the service sees it. `id` is stable across edits and moves (the editor's cell URI, the CLI's index). */
export interface CellText {
  id: string;
  text: string;
}

/** A position: offset in the file or cell text, and 0-based line and character. */
export interface Position {
  offset: number;
  line: number;
  character: number;
}

/** A range in a cell (`cell` set) or in a declaration file on disk (`file` set). */
export interface Location {
  cell?: string;
  file?: string;
  start: Position;
  end: Position;
}

/** A diagnostic in a cell. */
export interface CellDiagnostic {
  cell: string;
  start: Position;
  end: Position;
  message: string;
  code: number;
  severity: 'error' | 'warning' | 'suggestion';
  /** Unused code (shown faded). */
  unnecessary?: boolean;
  /** Use of a deprecated API (shown struck through). */
  deprecated?: boolean;
}

export interface CompletionItem {
  name: string;
  kind: string;
  sortText: string;
  insertText?: string;
  /** Offsets in the cell of the text the item replaces. */
  replaceStart?: number;
  replaceEnd?: number;
  kindModifiers?: string;
  source?: string;
  data?: unknown;
}

export interface CompletionList {
  items: CompletionItem[];
  isIncomplete: boolean;
}

export interface CompletionDetail {
  detail: string;
  documentation: string;
}

export interface HoverInfo {
  /** The declaration as TypeScript prints it (`const model: tf.Sequential`). */
  signature: string;
  /** Doc comment and tags, as Markdown. */
  documentation: string;
  start: Position;
  end: Position;
}

export interface SignatureInfo {
  signatures: { label: string; documentation: string; parameters: { label: string; documentation: string }[] }[];
  activeSignature: number;
  activeParameter: number;
}

/** Options of {@link NotebookService}. */
export interface NotebookServiceArgs {
  /** The notebook's folder: relative imports and the workspace's packages resolve from here. Required. */
  dir: string;
  /** The notebook's file name, used in the virtual file names. Defaults to `notebook`. */
  name?: string;
  /** Folder of the shipped declarations. Defaults to {@link findTypesRoot}'s. */
  typesRoot?: string;
}

/** Module specifiers of imports, dynamic imports and requires in cell text. */
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|\bimport\s+)(['"])([^'"\n]+)\1/g;
const NODE_MODULES = new Set(builtinModules);

/** True when `text` imports one of Node's modules (or asks for Node's types). */
function usesNodeModules(text: string): boolean {
  if (text.includes('reference types="node"')) return true;
  for (const m of text.matchAll(SPECIFIER)) if (m[2].startsWith('node:') || NODE_MODULES.has(m[2])) return true;
  return false;
}

/** Packages the kernel loads from its own copy, whatever the workspace has. */
function isShipped(specifier: string): boolean {
  return specifier === 'gradscope' || specifier.startsWith('gradscope/') || specifier.startsWith('@tensorflow/');
}

/** Documentation parts and JSDoc tags as Markdown. */
function docText(doc: ts.SymbolDisplayPart[] | undefined, tags?: ts.JSDocTagInfo[]): string {
  const parts = [ts.displayPartsToString(doc)];
  for (const t of tags ?? []) {
    const text = ts.displayPartsToString(t.text);
    parts.push(t.name === 'example' ? `*@example*\n\`\`\`ts\n${text.replace(/^```\w*\n?|```$/gm, '').trim()}\n\`\`\`` : `*@${t.name}*${text ? ` — ${text}` : ''}`);
  }
  return parts.filter((p) => p).join('\n\n');
}

/** The TypeScript language service of one notebook; see the file comment. */
export class NotebookService {
  readonly dir: string;
  private readonly typesRoot: string;
  private readonly prefix: string;
  private readonly preludeFile: string;
  private options: ts.CompilerOptions;
  /** True once a cell imported a Node module: then the full `@types/node` replaces NODE_GLOBALS. */
  private nodeTypes = false;
  private prelude = PRELUDE + NODE_GLOBALS;
  private preludeVersion = 1;
  private readonly service: ts.LanguageService;
  /** Cells in document order. */
  private order: string[] = [];
  private readonly cells = new Map<string, { file: string; text: string; version: number; snapshot: ts.IScriptSnapshot }>();
  private readonly byFile = new Map<string, string>();
  private nextFile = 1;
  private projectVersion = 0;
  private readonly resolutionCache: ts.ModuleResolutionCache;

  constructor(args: NotebookServiceArgs) {
    if (!args || typeof args.dir !== 'string' || !args.dir) throw new TypeError('NotebookService: dir must be a non-empty string');
    this.dir = path.resolve(args.dir);
    this.typesRoot = args.typesRoot ?? findTypesRoot();
    const base = (args.name ?? 'notebook').replace(/[^\w.-]+/g, '_');
    // One set of names per service: two services of one notebook must not share documents.
    const instance = ++instances;
    this.prefix = path.join(this.dir, `.gradscope-${base}-${instance}-cell`);
    this.preludeFile = path.join(this.dir, `.gradscope-${base}-${instance}-prelude.d.ts`);
    this.options = {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.Preserve,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      moduleDetection: ts.ModuleDetectionKind.Legacy,
      lib: ['lib.es2023.d.ts'],
      types: [],
      typeRoots: [path.join(this.typesRoot, 'node_modules/@types')],
      // Strict, except where notebook code that runs fine would get errors: tfjs's shapes are
      // `(number | null)[]` (null checks), untyped parameters of quick helpers, `catch (e)` reading `e.message`.
      strict: true,
      strictNullChecks: false,
      noImplicitAny: false,
      useUnknownInCatchVariables: false,
      esModuleInterop: true,
      allowSyntheticDefaultImports: true,
      resolveJsonModule: true,
      skipLibCheck: true,
      noEmit: true,
      allowJs: false,
    };
    this.resolutionCache = ts.createModuleResolutionCache(this.dir, (f) => f, this.options);
    const registry = sharedRegistry();
    cellFiles.add(this.prefix);
    const host: ts.LanguageServiceHost = {
      getCompilationSettings: () => this.options,
      getProjectVersion: () => String(this.projectVersion),
      getScriptFileNames: () => [this.preludeFile, ...this.order.map((id) => this.cells.get(id)!.file)],
      getScriptVersion: (f) => {
        const id = this.byFile.get(f);
        if (id) return String(this.cells.get(id)!.version);
        return f === this.preludeFile ? String(this.preludeVersion) : '1';
      },
      getScriptSnapshot: (f) => {
        const id = this.byFile.get(f);
        if (id) return this.cells.get(id)!.snapshot;
        if (f === this.preludeFile) return ts.ScriptSnapshot.fromString(this.prelude);
        const text = ts.sys.readFile(f);
        return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
      },
      getCurrentDirectory: () => this.dir,
      getDefaultLibFileName: (o) => path.join(this.typesRoot, 'lib', ts.getDefaultLibFileName(o)),
      fileExists: (f) => this.byFile.has(f) || f === this.preludeFile || ts.sys.fileExists(f),
      readFile: (f) => {
        const id = this.byFile.get(f);
        if (id) return this.cells.get(id)!.text;
        return f === this.preludeFile ? this.prelude : ts.sys.readFile(f);
      },
      directoryExists: (d) => ts.sys.directoryExists(d),
      getDirectories: (d) => ts.sys.getDirectories(d),
      realpath: ts.sys.realpath,
      useCaseSensitiveFileNames: () => ts.sys.useCaseSensitiveFileNames,
      resolveModuleNameLiterals: (literals, containingFile, redirected, options) => literals.map((lit) => {
        const from = isShipped(lit.text) ? path.join(this.typesRoot, '__shipped.ts') : containingFile;
        return ts.resolveModuleName(lit.text, from, options, ts.sys, this.resolutionCache, redirected);
      }),
    };
    this.service = ts.createLanguageService(host, registry);
  }

  /** Sets the notebook's code cells, in document order; cells not listed are removed. */
  setCells(cells: readonly CellText[]): void {
    const seen = new Set<string>();
    for (const c of cells) {
      if (typeof c?.id !== 'string' || typeof c.text !== 'string') throw new TypeError('setCells: every cell needs a string id and text');
      if (seen.has(c.id)) throw new Error(`setCells: cell id '${c.id}' is listed twice`);
      seen.add(c.id);
    }
    for (const id of [...this.cells.keys()]) {
      if (!seen.has(id)) {
        this.byFile.delete(this.cells.get(id)!.file);
        this.cells.delete(id);
      }
    }
    for (const c of cells) this.setText(c.id, c.text);
    this.order = cells.map((c) => c.id);
    this.projectVersion++;
  }

  /** Switches to the full `@types/node` (for good: typing must not flip the program back and forth). */
  private noteNodeModules(text: string): void {
    if (this.nodeTypes || !usesNodeModules(text)) return;
    this.nodeTypes = true;
    this.options = { ...this.options, types: ['node'] };
    this.prelude = PRELUDE;
    this.preludeVersion++;
  }

  /** Replaces one cell's text (a cell the service does not know yet is added at the end). */
  updateCell(id: string, text: string): void {
    if (!this.cells.has(id)) this.order.push(id);
    this.setText(id, text);
    this.projectVersion++;
  }

  /** The cells' ids in document order. */
  cellIds(): string[] {
    return [...this.order];
  }

  private setText(id: string, text: string): void {
    this.noteNodeModules(text);
    const cell = this.cells.get(id);
    if (cell) {
      if (cell.text === text) return;
      cell.text = text;
      cell.version++;
      cell.snapshot = ts.ScriptSnapshot.fromString(text);
      return;
    }
    const file = `${this.prefix}${this.nextFile++}.ts`;
    this.cells.set(id, { file, text, version: 1, snapshot: ts.ScriptSnapshot.fromString(text) });
    this.byFile.set(file, id);
  }

  private file(id: string): string {
    const c = this.cells.get(id);
    if (!c) throw new Error(`no cell '${id}' in this notebook`);
    return c.file;
  }

  private checkOffset(id: string, offset: number): void {
    const text = this.cells.get(id)?.text ?? '';
    if (!Number.isInteger(offset) || offset < 0 || offset > text.length) throw new RangeError(`offset ${offset} is outside cell '${id}' (length ${text.length})`);
  }

  private sourceFile(file: string): ts.SourceFile | undefined {
    return this.service.getProgram()?.getSourceFile(file);
  }

  private position(sf: ts.SourceFile, offset: number): Position {
    const { line, character } = sf.getLineAndCharacterOfPosition(offset);
    return { offset, line, character };
  }

  private location(fileName: string, span: ts.TextSpan): Location | undefined {
    const sf = this.sourceFile(fileName);
    if (!sf) return undefined;
    const start = this.position(sf, span.start);
    const end = this.position(sf, span.start + span.length);
    const cell = this.byFile.get(fileName);
    if (cell) return { cell, start, end };
    if (fileName === this.preludeFile) return undefined;
    return { file: fileName, start, end };
  }

  /** Diagnostics of one cell, or of every cell in document order; the kernel's moot ones left out. */
  diagnostics(id?: string): CellDiagnostic[] {
    const ids = id === undefined ? this.order : [id];
    const out: CellDiagnostic[] = [];
    const uncertain = this.redeclaredWithOtherTypes();
    for (const cid of ids) {
      const file = this.file(cid);
      const sf = this.sourceFile(file);
      if (!sf) continue;
      let names: Map<string, number> | undefined;
      const lazyNames = () => (names ??= topLevelNames(ts, sf));
      const all = [
        ...this.service.getSyntacticDiagnostics(file),
        ...this.service.getSemanticDiagnostics(file),
        ...this.service.getSuggestionDiagnostics(file).filter((d) => d.reportsUnnecessary || d.reportsDeprecated),
      ];
      for (const d of all) {
        if (d.start === undefined || isMoot(ts, d, sf, lazyNames) || statementUses(ts, sf, d.start, uncertain)) continue;
        const severity = d.category === ts.DiagnosticCategory.Error ? 'error' : d.category === ts.DiagnosticCategory.Warning ? 'warning' : 'suggestion';
        out.push({
          cell: cid,
          start: this.position(sf, d.start),
          end: this.position(sf, d.start + (d.length ?? 0)),
          message: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
          code: d.code,
          severity,
          ...(d.reportsUnnecessary ? { unnecessary: true } : {}),
          ...(d.reportsDeprecated ? { deprecated: true } : {}),
        });
      }
    }
    return out;
  }

  private redeclared: { version: number; names: Set<string> } | undefined;

  /** Names several cells declare with different types (cached per project version). */
  private redeclaredWithOtherTypes(): Set<string> {
    if (this.redeclared?.version === this.projectVersion) return this.redeclared.names;
    const program = this.service.getProgram();
    const cells = this.order.map((id) => program?.getSourceFile(this.cells.get(id)!.file)).filter((sf): sf is ts.SourceFile => !!sf);
    const names = program ? namesRedeclaredWithOtherTypes(ts, program.getTypeChecker(), cells) : new Set<string>();
    this.redeclared = { version: this.projectVersion, names };
    return names;
  }

  /** Completions at `offset` in cell `id`. */
  completions(id: string, offset: number, triggerCharacter?: string): CompletionList {
    this.checkOffset(id, offset);
    const info = this.service.getCompletionsAtPosition(this.file(id), offset, {
      includeCompletionsWithInsertText: true,
      includeCompletionsWithSnippetText: false,
      includeAutomaticOptionalChainCompletions: true,
      triggerCharacter: triggerCharacter as ts.CompletionsTriggerCharacter | undefined,
    });
    if (!info) return { items: [], isIncomplete: false };
    return {
      isIncomplete: !!info.isIncomplete,
      items: info.entries.map((e) => ({
        name: e.name,
        kind: e.kind,
        sortText: e.sortText,
        ...(e.insertText !== undefined ? { insertText: e.insertText } : {}),
        ...(e.replacementSpan ? { replaceStart: e.replacementSpan.start, replaceEnd: e.replacementSpan.start + e.replacementSpan.length } : {}),
        ...(e.kindModifiers ? { kindModifiers: e.kindModifiers } : {}),
        ...(e.source ? { source: e.source } : {}),
        ...(e.data ? { data: e.data } : {}),
      })),
    };
  }

  /** The signature and documentation of one completion item. */
  completionDetail(id: string, offset: number, name: string, source?: string, data?: unknown): CompletionDetail | undefined {
    this.checkOffset(id, offset);
    const d = this.service.getCompletionEntryDetails(this.file(id), offset, name, undefined, source, undefined, data as ts.CompletionEntryData | undefined);
    if (!d) return undefined;
    return { detail: ts.displayPartsToString(d.displayParts), documentation: docText(d.documentation, d.tags) };
  }

  /** What a hover at `offset` shows. */
  hover(id: string, offset: number): HoverInfo | undefined {
    this.checkOffset(id, offset);
    const file = this.file(id);
    const q = this.service.getQuickInfoAtPosition(file, offset);
    const sf = this.sourceFile(file);
    if (!q || !sf) return undefined;
    return {
      signature: ts.displayPartsToString(q.displayParts),
      documentation: docText(q.documentation, q.tags),
      start: this.position(sf, q.textSpan.start),
      end: this.position(sf, q.textSpan.start + q.textSpan.length),
    };
  }

  /** Signature help at `offset` (inside a call's parentheses). */
  signatureHelp(id: string, offset: number): SignatureInfo | undefined {
    this.checkOffset(id, offset);
    const h = this.service.getSignatureHelpItems(this.file(id), offset, undefined);
    if (!h) return undefined;
    return {
      activeSignature: h.selectedItemIndex,
      activeParameter: h.argumentIndex,
      signatures: h.items.map((item) => {
        const params = item.parameters.map((p) => ({ label: ts.displayPartsToString(p.displayParts), documentation: ts.displayPartsToString(p.documentation) }));
        const sep = ts.displayPartsToString(item.separatorDisplayParts);
        const label = ts.displayPartsToString(item.prefixDisplayParts) + params.map((p) => p.label).join(sep) + ts.displayPartsToString(item.suffixDisplayParts);
        return { label, documentation: docText(item.documentation, item.tags), parameters: params };
      }),
    };
  }

  /** Where the name at `offset` is declared (cells, or the declaration files of tfjs, gradscope, Node, the workspace). */
  definition(id: string, offset: number): Location[] {
    this.checkOffset(id, offset);
    const defs = this.service.getDefinitionAtPosition(this.file(id), offset) ?? [];
    return defs.map((d) => this.location(d.fileName, d.textSpan)).filter((l): l is Location => !!l);
  }

  /** Every reference to the name at `offset`, across cells (and declaration files). */
  references(id: string, offset: number): Location[] {
    this.checkOffset(id, offset);
    const refs = this.service.getReferencesAtPosition(this.file(id), offset) ?? [];
    return refs.map((r) => this.location(r.fileName, r.textSpan)).filter((l): l is Location => !!l);
  }

  /**
   * The edits that rename the name at `offset` across cells, or why it cannot be renamed (a name from
   * a library's declarations, a keyword).
   */
  rename(id: string, offset: number): { locations: Location[]; placeholder: string } | { error: string } {
    this.checkOffset(id, offset);
    const file = this.file(id);
    const info = this.service.getRenameInfo(file, offset, { allowRenameOfImportPath: false });
    if (!info.canRename) return { error: info.localizedErrorMessage };
    const locs = this.service.findRenameLocations(file, offset, false, false, { providePrefixAndSuffixTextForRename: false }) ?? [];
    const out: Location[] = [];
    for (const l of locs) {
      const loc = this.location(l.fileName, l.textSpan);
      if (!loc) continue;
      if (!loc.cell) return { error: 'This name is declared outside the notebook.' };
      out.push(loc);
    }
    return { locations: out, placeholder: info.displayName };
  }

  dispose(): void {
    cellFiles.delete(this.prefix);
    this.service.dispose();
  }
}

let instances = 0;
/** Prefixes of the cell files of every notebook service in this process. */
const cellFiles = new Set<string>();
let registry: ts.DocumentRegistry | undefined;

function isCellFile(fileName: string): boolean {
  for (const prefix of cellFiles) if (fileName.startsWith(prefix) && fileName.endsWith('.ts')) return true;
  return false;
}

/**
 * The document registry of every notebook in the process (the declaration files of tfjs and Node are
 * parsed once), which binds the cell files as scripts: it clears the module indicator of every cell
 * file it parses (and re-parses) before a program binds it.
 */
function sharedRegistry(): ts.DocumentRegistry {
  if (registry) return registry;
  const base = ts.createDocumentRegistry(ts.sys.useCaseSensitiveFileNames);
  const asScript = (fileName: string, sf: ts.SourceFile): ts.SourceFile => {
    if (isCellFile(fileName)) (sf as { externalModuleIndicator?: unknown }).externalModuleIndicator = undefined;
    return sf;
  };
  return registry = {
    ...base,
    acquireDocument: (fileName, ...rest) => asScript(fileName, base.acquireDocument(fileName, ...rest)),
    acquireDocumentWithKey: (fileName, ...rest) => asScript(fileName, base.acquireDocumentWithKey(fileName, ...rest)),
    updateDocument: (fileName, ...rest) => asScript(fileName, base.updateDocument(fileName, ...rest)),
    updateDocumentWithKey: (fileName, ...rest) => asScript(fileName, base.updateDocumentWithKey(fileName, ...rest)),
  };
}
