/**
 * The slice of the `vscode-notebook-renderer` API this renderer uses, declared locally because that
 * types package is not a dependency. Shapes match `vscode-notebook-renderer` 1.x (index.d.ts), so the
 * real objects VS Code passes in satisfy them.
 */

/** One output item handed to {@link RendererApi.renderOutputItem}. */
export interface OutputItem {
  /** Stable for the output; the same id is rendered again when the kernel replaces the output. */
  readonly id: string;
  readonly mime: string;
  readonly metadata?: unknown;
  /** Parses the item's bytes as JSON (throws on invalid JSON). */
  json(): any;
  text(): string;
}

/** What `activate` returns. */
export interface RendererApi {
  renderOutputItem(outputItem: OutputItem, element: HTMLElement, signal: AbortSignal): void | Promise<void>;
  /** Called with an id when one output goes away, without one when all of them do. */
  disposeOutputItem?(id?: string): void;
}

/** Minimal event shape of the renderer messaging channel. */
export type RendererEvent<T> = (listener: (e: T) => unknown) => { dispose(): void };

/** The context VS Code passes to `activate`. */
export interface RendererContext<TState = unknown> {
  /** Undefined unless the renderer declares messaging and the host listens (`requiresMessaging`). */
  readonly postMessage?: (message: unknown) => void;
  readonly onDidReceiveMessage?: RendererEvent<unknown>;
  readonly workspace?: { readonly isTrusted: boolean };
  getState?(): TState | undefined;
  setState?(value: TState): void;
}

/** The renderer's entry point signature. */
export type ActivationFunction<TState = unknown> = (context: RendererContext<TState>) =>
  RendererApi | undefined | Promise<RendererApi | undefined>;
