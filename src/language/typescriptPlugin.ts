/**
 * A plugin of VS Code's built-in TypeScript server (tsserver), contributed through
 * `contributes.typescriptServerPlugins` (dist/typescriptPlugin.js, loaded as the package
 * `gradscope-typescript-plugin`). It keeps the built-in service out of the cells of `.ipynb`
 * notebooks that Gradscope's language service serves: the built-in one sees each cell alone, so its
 * squiggles, completions and hovers there would duplicate or contradict the notebook-wide ones.
 *
 * The extension host tells it which notebooks those are, by path, through the TypeScript extension's
 * `configurePlugin` API (`{ notebooks: ['/work/train.ipynb'] }`, the whole list each time). Only cell
 * documents (`vscode-notebook-cell:`) of a listed notebook are muted; every other file, other
 * notebooks' cells included, gets the built-in service unchanged. Editing features that see one
 * cell's syntax only (formatting, folding, colouring) stay.
 *
 * ```ts
 * api.configurePlugin(PLUGIN_NAME, { notebooks: served.map((nb) => nb.uri.path) } satisfies PluginConfig);
 * ```
 */
import type ts from 'typescript';

/** The package name VS Code loads the plugin by (package.json `contributes.typescriptServerPlugins`). */
export const PLUGIN_NAME = 'gradscope-typescript-plugin';

/** What `configurePlugin` sends. */
export interface PluginConfig {
  /** Paths of the notebooks whose cells the built-in service leaves alone. */
  notebooks: string[];
}

/**
 * The notebook path of a tsserver file name of a notebook cell (`^/vscode-notebook-cell/<authority>/<path>#<cell>`,
 * as VS Code names in-memory documents), or undefined for any other file.
 */
export function cellNotebookPath(fileName: string): string | undefined {
  const m = /^\^\/vscode-notebook-cell\/[^/]*(\/[^#]*)(?:#.*)?$/.exec(fileName.replace(/\\/g, '/'));
  return m ? m[1] : undefined;
}

/** Filters: the methods of the built-in service that cells of a served notebook do not get. */
type Muted = { [K in keyof ts.LanguageService]?: (ls: ts.LanguageService) => ts.LanguageService[K] };
const none = () => undefined;
const MUTED: Muted = {
  getSyntacticDiagnostics: () => () => [],
  getSemanticDiagnostics: () => () => [],
  getSuggestionDiagnostics: () => () => [],
  getCompletionsAtPosition: () => none,
  getCompletionEntryDetails: () => none,
  getQuickInfoAtPosition: () => none,
  getSignatureHelpItems: () => none,
  getDefinitionAtPosition: () => none,
  getDefinitionAndBoundSpan: () => none,
  getTypeDefinitionAtPosition: () => none,
  getImplementationAtPosition: () => none,
  getReferencesAtPosition: () => none,
  findReferences: () => none,
  getDocumentHighlights: () => none,
  findRenameLocations: () => none,
  getRenameInfo: () => () => ({ canRename: false, localizedErrorMessage: 'Renamed by the Gradscope notebook language service.' }),
  getCodeFixesAtPosition: () => () => [],
  getApplicableRefactors: () => () => [],
  provideInlayHints: () => () => [],
  getEncodedSemanticClassifications: () => () => ({ spans: [], endOfLineState: 0 }),
};

/** The plugin as tsserver loads it (`module.exports = init`). */
export function init(_modules: { typescript: typeof ts }): ts.server.PluginModule {
  let served = new Set<string>();
  const isServed = (fileName: unknown) => {
    if (typeof fileName !== 'string') return false;
    const nb = cellNotebookPath(fileName);
    return nb !== undefined && (served.has(nb) || served.has(nb.toLowerCase()));
  };
  return {
    create(info) {
      const ls = info.languageService;
      const proxy = Object.create(null) as ts.LanguageService;
      for (const key of Object.keys(ls) as (keyof ts.LanguageService)[]) {
        const original = (ls[key] as (...a: unknown[]) => unknown).bind(ls);
        const muted = MUTED[key]?.(ls) as ((...a: unknown[]) => unknown) | undefined;
        (proxy as unknown as Record<string, unknown>)[key] = muted
          ? (...args: unknown[]) => (isServed(args[0]) ? muted(...args) : original(...args))
          : original;
      }
      return proxy;
    },
    onConfigurationChanged(config: Partial<PluginConfig>) {
      const list = Array.isArray(config?.notebooks) ? config.notebooks.filter((p): p is string => typeof p === 'string') : [];
      served = new Set(list.flatMap((p) => [p, p.toLowerCase()]));
    },
  };
}
