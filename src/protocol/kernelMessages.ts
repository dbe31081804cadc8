/**
 * Messages between the extension host (or the headless runner) and the kernel process, over the
 * Node IPC channel of `child_process.fork`. Interrupts are not messages: the host sends SIGINT, the
 * one thing that reaches a kernel stuck in a synchronous loop.
 */
import type { FindingsReport } from './health';

/** An output in nbformat's shape, so the CLI can write it as is and the editor can convert it. */
export type KernelOutput =
  | { output_type: 'stream'; name: 'stdout' | 'stderr'; text: string }
  | { output_type: 'display_data'; data: Record<string, unknown>; metadata: Record<string, unknown> }
  | { output_type: 'execute_result'; data: Record<string, unknown>; metadata: Record<string, unknown>; execution_count: number | null }
  | { output_type: 'error'; ename: string; evalue: string; traceback: string[] };

/** Where a failing cell failed, 1-based, in the cell's own source (line 0 when no frame was in a cell). */
export interface ErrorLocation {
  filename: string;
  line: number;
  column: number;
  message: string;
}

/** Host → kernel. */
export type HostMessage =
  | {
      type: 'execute';
      id: number;
      /** The cell's TypeScript source. */
      source: string;
      /** Stable virtual file name for this cell (stack frames, source maps). */
      filename: string;
      /** How errors name the cell, e.g. `Cell 3`. */
      label: string;
      /** The cell document's URI in the editor, or a label in the CLI. */
      cellUri: string;
      executionCount: number;
    }
  | { type: 'shutdown' }
  /** Completions at a cursor (UTF-16 offset), from the kernel's live values; answered by `completeReply`. */
  | { type: 'complete'; id: number; code: string; cursor: number }
  /** What the name at a cursor is; answered by `inspectReply`. */
  | { type: 'inspect'; id: number; code: string; cursor: number; detail: number }
  /** The user's answer to an `inputRequest` (`error` when the front end cannot ask). */
  | { type: 'inputReply'; id: number; value?: string; error?: string };

/** The host's request to run one cell, as the kernel receives it. */
export type ExecuteMessage = Extract<HostMessage, { type: 'execute' }>;

/** A cell to run as the host side hands it to the kernel client, which adds the type and numbers it. */
export type ExecuteRequest = Omit<ExecuteMessage, 'type' | 'id'>;

/** Kernel → host. */
export type KernelMessage =
  | { type: 'ready'; backend: string; device?: string; tfjsVersion: string; notes: string[] }
  | { type: 'output'; id: number; output: KernelOutput; displayId?: string }
  | { type: 'updateDisplay'; id: number; displayId: string; output: KernelOutput }
  | { type: 'findings'; id: number; report: FindingsReport }
  | { type: 'interruptReceived' }
  | { type: 'done'; id: number; status: 'ok' | 'error' | 'interrupted'; error?: ErrorLocation; restartAdvised?: string }
  | { type: 'log'; text: string }
  /** An output of a cell that already ended (an error thrown by a timer it set): shown on that cell. */
  | { type: 'lateOutput'; cellUri: string; output: KernelOutput }
  | { type: 'completeReply'; id: number; matches: string[]; start: number; end: number }
  | { type: 'inspectReply'; id: number; text?: string }
  /** A cell called `prompt()`: ask the user (`execution` is the running cell's id). */
  | { type: 'inputRequest'; id: number; execution: number | undefined; prompt: string; password: boolean };

/**
 * Lines the kernel's watchdog thread writes on its pipe after an interrupt (see kernel/watchdog.ts):
 * it waits for a training step to end, or the main thread is busy after an await (`what`: in a
 * TensorFlow.js op or in plain JavaScript), which cannot be interrupted.
 */
export type WatchdogStatus =
  | { kind: 'waitingForStep'; step: number; runningMs: number }
  | { kind: 'busy'; what: 'tfjs' | 'js'; busyMs: number };

/**
 * The kernel backends as `gradscope.backend`, `gradscope run --backend` and `gradscope kernel
 * --backend` spell them; after `auto`, the order `auto` tries them in.
 */
export const KERNEL_BACKENDS = ['auto', 'tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'] as const;

/** One of {@link KERNEL_BACKENDS}. */
export type KernelBackend = (typeof KERNEL_BACKENDS)[number];

/** Start-up options, passed to the kernel in the `GRADSCOPE_KERNEL_OPTIONS` environment variable. */
export interface KernelOptions {
  /** Folder that user requires resolve from (the notebook's folder; its node_modules and parents'). */
  workspaceDir: string;
  /** `auto` or one of the backend names. */
  backend: KernelBackend;
  /** Install Gradscope's wasm kernel overrides. */
  wasmOverrides: boolean;
  /** Health-monitor defaults from the settings (see KernelHooks.diagnostics). */
  diagnostics?: { sampleEvery?: number; thresholds?: Record<string, number> };
  /** Extra folders to look in for packages after the workspace (the extension's own node_modules). */
  extensionDir: string;
  /** File descriptor of the pipe to the kernel's watchdog thread (set by the host that made the pipe). */
  watchdogFd?: number;
  /** Stream output kept per cell in the editor and the CLI, in lines; the rest goes to a file. Defaults to 5000. */
  outputTailLines?: number;
}
