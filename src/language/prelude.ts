/**
 * The declarations of what the kernel puts in every cell's scope without an import (src/kernel/main.ts
 * installs them on the kernel's global object), and Node's globals (cells run in the kernel's Node
 * process): {@link NODE_GLOBALS} until a cell imports a Node module, the shipped `@types/node` from then on.
 */

/** The text of the notebook's prelude `.d.ts`. */
export const PRELUDE = `// Globals of the Gradscope kernel: what a cell can use without importing it.

/** A rich output made by \`display\`: \`update\` replaces its content in place. */
interface GradscopeDisplayHandle {
  /** The output's id in the notebook. */
  readonly id: string;
  /** Replaces the output's content (same output, updated in place). */
  update(value: unknown, mime?: string): void;
}

/**
 * Shows \`value\` as an output of the running cell: tensors and objects as text, an HTML or SVG string
 * with \`mime\` \`'text/html'\` or \`'image/svg+xml'\`. Returns a handle that can update the output in place.
 *
 * @example
 * const out = display('starting…');
 * out.update('done');
 */
declare function display(value: unknown, mime?: string): GradscopeDisplayHandle;

/**
 * Asks the user for one line of input (the editor's input box, Jupyter's stdin) and resolves to it.
 * Rejects when the front end cannot ask, and when the cell is interrupted while waiting.
 *
 * @example
 * const name = await prompt('Run name?');
 */
declare function prompt(message?: unknown, options?: { password?: boolean }): Promise<string>;
`;

/**
 * Node's globals that notebooks use, declared in a few lines: the full `@types/node` is half of what a
 * first program parses, so it is loaded only when a cell imports one of Node's modules (then these
 * lines are left out). Members not listed here are `any`, never errors.
 */
export const NODE_GLOBALS = `// Node's globals in the kernel (the full @types/node loads when a cell imports a Node module).

interface GradscopeConsole {
  log(...data: any[]): void;
  info(...data: any[]): void;
  warn(...data: any[]): void;
  error(...data: any[]): void;
  debug(...data: any[]): void;
  table(data: any, properties?: string[]): void;
  dir(item: any, options?: any): void;
  time(label?: string): void;
  timeEnd(label?: string): void;
  timeLog(label?: string, ...data: any[]): void;
  assert(condition?: boolean, ...data: any[]): void;
  count(label?: string): void;
  group(...label: any[]): void;
  groupEnd(): void;
  trace(...data: any[]): void;
  [member: string]: any;
}
declare var console: GradscopeConsole;

interface GradscopeTimeout {
  ref(): this;
  unref(): this;
  hasRef(): boolean;
  refresh(): this;
  [Symbol.toPrimitive](): number;
}
declare function setTimeout<A extends any[]>(callback: (...args: A) => void, ms?: number, ...args: A): GradscopeTimeout;
declare function setInterval<A extends any[]>(callback: (...args: A) => void, ms?: number, ...args: A): GradscopeTimeout;
declare function setImmediate<A extends any[]>(callback: (...args: A) => void, ...args: A): GradscopeTimeout;
declare function clearTimeout(timeout: GradscopeTimeout | string | number | undefined): void;
declare function clearInterval(timeout: GradscopeTimeout | string | number | undefined): void;
declare function clearImmediate(timeout: GradscopeTimeout | undefined): void;
declare function queueMicrotask(callback: () => void): void;
declare function structuredClone<T>(value: T, options?: { transfer?: any[] }): T;
declare function atob(data: string): string;
declare function btoa(data: string): string;
declare function fetch(input: string | URL | { url: string }, init?: Record<string, any>): Promise<any>;

interface GradscopeProcess {
  env: Record<string, string | undefined>;
  argv: string[];
  platform: string;
  version: string;
  versions: Record<string, string | undefined>;
  pid: number;
  cwd(): string;
  exit(code?: number): never;
  uptime(): number;
  nextTick(callback: (...args: any[]) => void, ...args: any[]): void;
  memoryUsage(): { rss: number; heapTotal: number; heapUsed: number; external: number; arrayBuffers: number };
  hrtime: { (time?: [number, number]): [number, number]; bigint(): bigint };
  stdout: { write(chunk: string | Uint8Array): boolean; [member: string]: any };
  stderr: { write(chunk: string | Uint8Array): boolean; [member: string]: any };
  [member: string]: any;
}
declare var process: GradscopeProcess;

interface GradscopeBuffer extends Uint8Array {
  toString(encoding?: string, start?: number, end?: number): string;
  [member: string]: any;
}
declare var Buffer: {
  from(data: string | ArrayLike<number> | ArrayBufferLike, encodingOrOffset?: string | number, length?: number): GradscopeBuffer;
  alloc(size: number, fill?: string | number): GradscopeBuffer;
  isBuffer(value: unknown): value is GradscopeBuffer;
  concat(list: readonly Uint8Array[], totalLength?: number): GradscopeBuffer;
  byteLength(value: string | ArrayBufferView | ArrayBuffer, encoding?: string): number;
  [member: string]: any;
};

declare var require: { (id: string): any; resolve(id: string): string; [member: string]: any };
declare var global: typeof globalThis;
declare var performance: { now(): number; timeOrigin: number; [member: string]: any };

declare class URL {
  constructor(url: string | URL, base?: string | URL);
  href: string; origin: string; protocol: string; host: string; hostname: string; port: string;
  pathname: string; search: string; hash: string; readonly searchParams: URLSearchParams;
  toString(): string;
  toJSON(): string;
}
declare class URLSearchParams {
  constructor(init?: string | Record<string, string> | [string, string][]);
  get(name: string): string | null;
  set(name: string, value: string): void;
  append(name: string, value: string): void;
  has(name: string): boolean;
  delete(name: string): void;
  toString(): string;
  [Symbol.iterator](): IterableIterator<[string, string]>;
}
declare class TextEncoder { encode(input?: string): Uint8Array; }
declare class TextDecoder { constructor(label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean }); decode(input?: ArrayBufferView | ArrayBuffer, options?: { stream?: boolean }): string; }
declare class AbortSignal { readonly aborted: boolean; readonly reason: any; static timeout(ms: number): AbortSignal; [member: string]: any; }
declare class AbortController { readonly signal: AbortSignal; abort(reason?: any): void; }
declare var crypto: { randomUUID(): string; getRandomValues<T extends ArrayBufferView>(array: T): T; [member: string]: any };
`;
