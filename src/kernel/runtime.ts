/**
 * Runs cells inside the kernel process. Cells run in the process's own realm (not a separate vm
 * context) so that tfjs's `instanceof Float32Array` checks and the user's arrays agree; the compiler
 * turns top-level declarations into globals, which is what makes them persist across cells.
 */
import * as vm from 'node:vm';
import { compileCell, CellCompileError, type CompiledCell } from './compiler';
import { mapStack } from './stackMap';
import type { ErrorLocation, ExecuteMessage, KernelMessage, KernelOutput } from '../protocol/kernelMessages';
import type { DisplayHandle } from '../protocol/kernelHooks';
import { toMimeBundle, formatText, type MimeBundle } from './format';

/** Grace given to an awaited promise to settle by itself after an interrupt (gs.fit stops at the next batch). */
const INTERRUPT_GRACE_MS = 500;

/** A cell as it was last run: what stack frames and call sites map through. */
export interface RunCell {
  label: string;
  cellUri: string;
  source: string;
  compiled: CompiledCell;
}

type Send = (message: KernelMessage) => void;

/** The state of cell execution in one kernel process. */
export class CellRuntime {
  readonly cells = new Map<string, RunCell>();
  /** Id of the execution whose outputs are being collected, if any. */
  currentId: number | undefined;
  /** URI of the cell that is running, if any. */
  currentCellUri: string | undefined;
  private interruptRequested = false;
  private readonly interruptListeners = new Set<() => void>();
  private displayCounter = 0;

  constructor(private readonly send: Send, private readonly kernelDir: string) {}

  get interrupted(): boolean {
    return this.interruptRequested;
  }

  onInterrupt(listener: () => void): () => void {
    this.interruptListeners.add(listener);
    return () => this.interruptListeners.delete(listener);
  }

  /** Called on SIGINT. */
  interrupt(): void {
    this.interruptRequested = true;
    this.send({ type: 'interruptReceived' });
    for (const l of [...this.interruptListeners]) {
      try {
        l();
      } catch {
        // a listener's failure must not stop the interrupt
      }
    }
  }

  /** Emits an output to the running cell (or to the kernel log when no cell runs). */
  emit(output: KernelOutput, displayId?: string): void {
    if (this.currentId === undefined) {
      if (output.output_type === 'stream') this.send({ type: 'log', text: output.text });
      return;
    }
    this.send({ type: 'output', id: this.currentId, output, displayId });
  }

  /** `display(value, mime?)`: a rich output that can be updated in place. */
  display(value: unknown, mime?: string): DisplayHandle {
    const id = `display-${++this.displayCounter}`;
    const owner = this.currentId;
    this.emit({ output_type: 'display_data', data: toMimeBundle(value, mime), metadata: {} }, id);
    const handle: DisplayHandle = {
      id,
      update: (next: unknown, nextMime?: string) => this.updateDisplay(owner, id, toMimeBundle(next, nextMime ?? mime)),
    };
    displayHandles.add(handle);
    return handle;
  }

  /** Replaces a display's content; `owner` is the execution that created it. */
  updateDisplay(owner: number | undefined, displayId: string, data: MimeBundle): void {
    if (owner === undefined) return;
    this.send({ type: 'updateDisplay', id: owner, displayId, output: { output_type: 'display_data', data, metadata: {} } });
  }

  /** Runs one cell to completion; never throws. */
  async execute(req: Omit<ExecuteMessage, 'type'>): Promise<void> {
    this.currentId = req.id;
    this.currentCellUri = req.cellUri;
    this.interruptRequested = false;
    let status: 'ok' | 'error' | 'interrupted' = 'ok';
    let error: ErrorLocation | undefined;
    try {
      let compiled: CompiledCell;
      try {
        compiled = compileCell(req.source, { filename: req.filename });
      } catch (e) {
        if (!(e instanceof CellCompileError)) throw e;
        status = 'error';
        error = { filename: req.filename, line: e.line, column: e.column, message: e.message };
        this.emit({
          output_type: 'error', ename: 'CompileError', evalue: e.message,
          traceback: [`CompileError: ${e.message}`, `    at ${req.label}, line ${e.line}, column ${e.column}`],
        });
        return;
      }
      this.cells.set(req.filename, { label: req.label, cellUri: req.cellUri, source: req.source, compiled });
      const script = new vm.Script(compiled.code, { filename: req.filename });
      let value = script.runInThisContext({ breakOnSigint: true, displayErrors: false });
      if (compiled.isAsync) value = await this.awaitInterruptibly(value as Promise<unknown>);
      if (compiled.hasValue && value !== undefined && !isDisplayHandle(value)) {
        this.emit({ output_type: 'execute_result', data: toMimeBundle(value), metadata: {}, execution_count: req.executionCount });
      }
    } catch (e) {
      if (isInterruptError(e)) {
        status = 'interrupted';
        this.emit({ output_type: 'error', ename: 'Interrupted', evalue: 'Execution interrupted; the kernel and its variables are intact.', traceback: ['Interrupted: execution stopped by the user; variables are kept.'] });
      } else {
        status = 'error';
        error = this.reportError(e, req);
      }
    } finally {
      await flushMicrotasks();
      this.send({ type: 'done', id: req.id, status, error });
      this.currentId = undefined;
      this.currentCellUri = undefined;
      this.interruptRequested = false;
    }
  }

  /** Maps an error's stack to the cells, emits it, and returns the innermost cell location. */
  reportError(e: unknown, req: Omit<ExecuteMessage, 'type'>): ErrorLocation {
    const err = e instanceof Error ? e : new Error(formatText(e));
    const name = err.name || 'Error';
    const { text, frames } = mapStack(err.stack ?? `${name}: ${err.message}`, (f) => this.lookup(f), { kernelDir: this.kernelDir });
    this.emit({ output_type: 'error', ename: name, evalue: err.message, traceback: text.split('\n') });
    const here = frames.find((f) => f.filename === req.filename) ?? frames[0];
    // line 0: the stack never passed through a cell (e.g. thrown from a timer a library set up).
    return { filename: here?.filename ?? req.filename, line: here?.line ?? 0, column: here?.column ?? 0, message: `${name}: ${err.message}` };
  }

  /** The compiled cell behind a stack frame's file name. */
  lookup(filename: string): { label: string; cell: CompiledCell } | undefined {
    const c = this.cells.get(filename);
    return c && { label: c.label, cell: c.compiled };
  }

  private awaitInterruptibly(promise: Promise<unknown>): Promise<unknown> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const stop = this.onInterrupt(() => {
        // Give the cell's own code (gs.fit) a moment to stop cleanly and return; else abandon it.
        setTimeout(() => {
          if (!settled) {
            settled = true;
            stop();
            reject(new InterruptError());
          }
        }, INTERRUPT_GRACE_MS);
      });
      promise.then(
        (v) => { if (!settled) { settled = true; stop(); resolve(v); } },
        (e) => { if (!settled) { settled = true; stop(); reject(e); } },
      );
    });
  }
}

/** Handles made by display(): a cell ending in `display(…)` shows the display, not the handle. */
const displayHandles = new WeakSet<object>();

function isDisplayHandle(v: unknown): boolean {
  return typeof v === 'object' && v !== null && displayHandles.has(v);
}

class InterruptError extends Error {
  constructor() {
    super('interrupted');
  }
}

function isInterruptError(e: unknown): boolean {
  return e instanceof InterruptError || (e as NodeJS.ErrnoException)?.code === 'ERR_SCRIPT_EXECUTION_INTERRUPTED';
}

/** Lets console output queued by promise callbacks reach the host before `done`. */
function flushMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
