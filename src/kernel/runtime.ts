/**
 * Runs cells inside the kernel process. Cells run in the process's own realm (not a separate vm
 * context) so that tfjs's `instanceof Float32Array` checks and the user's arrays agree; the compiler
 * turns top-level declarations into globals, which is what makes them persist across cells.
 */
import * as vm from 'node:vm';
import { compileCell, CellCompileError, type CompiledCell } from './compiler';
import { mapStack } from './stackMap';
import type { ErrorLocation, ExecuteMessage, KernelMessage, KernelOutput } from '../protocol/kernelMessages';
import { INTERRUPTED_KEY, type DisplayHandle } from '../protocol/kernelHooks';
import { toMimeBundle, formatText, type MimeBundle } from './format';
import { cellContext, CellInterruptedError, type CellScope } from './cellContext';
import { MainState, type KernelActivity } from './activity';
import type { EngineGuard } from './engineGuard';
import { StreamCollector, type StreamCollectorArgs } from './streams';

/**
 * Grace given to an awaited promise to settle by itself after an interrupt; while a gs.fit run of the
 * cell is active it is renewed (the run stops at the end of its step and the cell ends with it).
 */
const INTERRUPT_GRACE_MS = 500;
/**
 * Uncaught errors shown per cell execution (a timer that throws at every tick would add an output, or
 * on an ended cell an editor execution, each time); later ones go to the kernel log, after one notice.
 */
export const UNCAUGHT_SHOWN = 5;
/** Grace periods a gs.fit run of the interrupted cell gets to stop (time its steps take is not counted). */
const RUN_STOP_RENEWALS = 4;

/** Options of {@link CellRuntime}. */
export interface CellRuntimeArgs {
  /** Restores TensorFlow.js after an interrupt. Defaults to none (no tfjs loaded). */
  guard?: EngineGuard;
  /** Shared state read by the watchdog thread. Defaults to none. */
  activity?: KernelActivity;
  /** Limits of console output per cell. Defaults to StreamCollector's. */
  streams?: StreamCollectorArgs;
}

/** A cell as it was last run: what stack frames and call sites map through. */
export interface RunCell {
  label: string;
  cellUri: string;
  source: string;
  compiled: CompiledCell;
}

/** Sends a message to the host; `sent` is called once it left the process. */
type Send = (message: KernelMessage, sent?: () => void) => void;

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
  /** Uncaught errors reported so far, per execution id (or cell, when no execution owns the code). */
  private readonly uncaughtCounts = new Map<number | string, number>();
  /** The running cell's execution as its code sees it (cellContext). */
  private scope: (CellScope & { runs: number }) | undefined;
  private collector: StreamCollector | undefined;

  constructor(private readonly send: Send, private readonly kernelDir: string, private readonly args: CellRuntimeArgs = {}) {}

  /** True from an interrupt request (the watchdog's flag or SIGINT) until the cell ends. */
  get interrupted(): boolean {
    return this.interruptRequested || (this.currentId !== undefined && !!this.args.activity?.interruptRequested);
  }

  /**
   * Marks a training run (per cell: an interrupt waits for it to stop) or one of its steps (the
   * watchdog waits for it instead of stopping the code) until the returned function is called.
   */
  beginActivity(kind: 'trainRun' | 'trainStep', step = 0): () => void {
    if (kind === 'trainStep') {
      const activity = this.args.activity;
      activity?.enter(MainState.TrainStep, step);
      return () => activity?.enter(MainState.Free);
    }
    const scope = cellContext.getStore() as (CellScope & { runs: number }) | undefined;
    if (!scope) return () => undefined;
    scope.runs++;
    let ended = false;
    return () => {
      if (!ended) scope.runs--;
      ended = true;
      // A step that threw never cleared its mark.
      this.args.activity?.enter(MainState.Free);
    };
  }

  onInterrupt(listener: () => void): () => void {
    this.interruptListeners.add(listener);
    return () => this.interruptListeners.delete(listener);
  }

  /** Called on SIGINT. */
  interrupt(): void {
    this.interruptRequested = true;
    if (this.args.activity) this.args.activity.interruptSeen = true;
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
    const from = cellContext.getStore();
    // Output of a cell that ended (a timer it left, an abandoned loop) must not land on the cell now running.
    if (this.currentId === undefined || (from !== undefined && from.id !== this.currentId)) {
      if (output.output_type === 'stream') this.send({ type: 'log', text: output.text });
      return;
    }
    if (output.output_type === 'stream' && this.collector) {
      this.collector.write(output.name, output.text);
      return;
    }
    this.collector?.flush();
    this.send({ type: 'output', id: this.currentId, output, displayId });
  }

  /**
   * An error nobody caught (a timer's callback threw, a promise was rejected with no handler): shown
   * with its stack mapped on the cell whose code threw: on the running cell, or as a late output of an
   * ended cell, or (no cell's code on the stack) as a kernel-level output. At most
   * {@link UNCAUGHT_SHOWN} per execution, then one notice; the rest, and the interruption errors that
   * stop code of an interrupted cell (the cell already says it was interrupted), go to the kernel log.
   */
  reportUncaught(e: unknown, kind: 'Uncaught error' | 'Unhandled promise rejection'): void {
    const err = e instanceof Error ? e : new Error(formatText(e));
    const name = err.name || 'Error';
    const { text, frames } = mapStack(err.stack ?? `${name}: ${err.message}`, (f) => this.lookup(f), { kernelDir: this.kernelDir });
    const owner = cellContext.getStore();
    const frameCell = frames.map((f) => this.cells.get(f.filename)).find((c) => c !== undefined);
    const cellUri = owner?.cellUri ?? frameCell?.cellUri;
    const running = this.currentId !== undefined && (owner ? owner.id === this.currentId : cellUri === this.currentCellUri);
    const lines = text.split('\n');
    const where = owner?.label ?? frameCell?.label;
    const heading = running ? `${kind}:` : `${kind}${where ? ` in code that ${where} left running, after it ended` : ' in code that no cell owns'}:`;
    if (err instanceof CellInterruptedError) {
      this.send({ type: 'log', text: [heading, ...lines].join('\n') });
      return;
    }
    const key = owner?.id ?? cellUri ?? '';
    const count = (this.uncaughtCounts.get(key) ?? 0) + 1;
    this.uncaughtCounts.set(key, count);
    let output: KernelOutput = { output_type: 'error', ename: name, evalue: err.message, traceback: [heading, ...lines] };
    if (count > UNCAUGHT_SHOWN + 1) {
      this.send({ type: 'log', text: output.traceback.join('\n') });
      return;
    }
    if (count === UNCAUGHT_SHOWN + 1) {
      this.send({ type: 'log', text: output.traceback.join('\n') });
      const text = `${UNCAUGHT_SHOWN} uncaught errors were shown${where ? ` for ${where}` : ''}; further ones go to the kernel log only (Gradscope: Show Kernel Log).\n`;
      output = { output_type: 'stream', name: 'stderr', text };
      if (running) this.emit(output);
      else this.send({ type: 'lateOutput', cellUri: cellUri ?? '', output });
      return;
    }
    if (running) {
      this.emit(output);
      return;
    }
    this.send({ type: 'log', text: output.traceback.join('\n') });
    this.send({ type: 'lateOutput', cellUri: cellUri ?? '', output });
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
    const { activity, guard } = this.args;
    if (activity) {
      activity.interruptRequested = false;
      activity.interruptSeen = false;
    }
    const scope = { id: req.id, label: req.label, cellUri: req.cellUri, filename: req.filename, abandoned: false, runs: 0 };
    this.scope = scope;
    const id = req.id;
    this.collector = new StreamCollector({
      stream: (name, text) => this.send({ type: 'output', id, output: { output_type: 'stream', name, text } }),
      tail: (() => {
        let shown = false;
        const displayId = `stream-tail-${id}`;
        return (text: string, sent: () => void) => {
          const output: KernelOutput = { output_type: 'display_data', data: { 'text/plain': text }, metadata: {} };
          if (shown) this.send({ type: 'updateDisplay', id, displayId, output }, sent);
          else this.send({ type: 'output', id, output, displayId }, sent);
          shown = true;
        };
      })(),
    }, req.label, this.args.streams);
    const base = guard?.baseline();
    let status: 'ok' | 'error' | 'interrupted' = 'ok';
    let error: ErrorLocation | undefined;
    let restartAdvised: string | undefined;
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
      activity?.enter(MainState.SyncScript);
      let value: unknown;
      try {
        value = cellContext.run(scope, () => script.runInThisContext({ breakOnSigint: true, displayErrors: false }));
      } finally {
        activity?.enter(MainState.Free);
      }
      if (compiled.isAsync) value = await this.awaitInterruptibly(value as Promise<unknown>, scope);
      if (compiled.hasValue && value !== undefined && !isDisplayHandle(value)) {
        this.emit({ output_type: 'execute_result', data: toMimeBundle(value), metadata: {}, execution_count: req.executionCount });
      }
    } catch (e) {
      if (isInterruptError(e)) {
        status = 'interrupted';
        // Whatever of the cell still runs (an awaited loop, a timer) throws at its next tfjs call.
        scope.abandoned = true;
        const report = base && guard ? guard.restore(base) : undefined;
        const what = (e as { [INTERRUPTED_KEY]?: boolean })[INTERRUPTED_KEY] ? `${(e as Error).message}. ` : '';
        if (report && !report.ok) {
          restartAdvised = report.problem;
          const evalue = `${what}Execution interrupted, but TensorFlow.js could not be restored: ${report.problem}. Variables are kept, but tensor operations may fail: restart the kernel.`;
          this.emit({ output_type: 'error', ename: 'Interrupted', evalue, traceback: [`Interrupted: ${evalue}`] });
        } else {
          const repaired = report?.repairs.length ? ` TensorFlow.js was restored (${report.repairs.join('; ')}) and checked.` : '';
          const evalue = `${what}Execution interrupted; variables are kept.${repaired}`;
          this.emit({ output_type: 'error', ename: 'Interrupted', evalue, traceback: [`Interrupted: ${evalue}`] });
        }
      } else {
        status = 'error';
        error = this.reportError(e, req);
      }
    } finally {
      await flushMicrotasks();
      this.collector.close();
      this.collector = undefined;
      this.send({ type: 'done', id: req.id, status, error, ...(restartAdvised ? { restartAdvised } : {}) });
      this.currentId = undefined;
      this.currentCellUri = undefined;
      this.scope = undefined;
      this.interruptRequested = false;
      if (activity) activity.interruptRequested = false;
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

  private awaitInterruptibly(promise: Promise<unknown>, scope: { runs: number }): Promise<unknown> {
    return new Promise((resolve, reject) => {
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      const finish = (f: () => void) => {
        if (settled) return;
        settled = true;
        stop();
        clearTimeout(timer);
        f();
      };
      // Give the cell's own code a moment to stop cleanly and return; while a gs.fit run of the cell is
      // active wait for it (the host's escalation bounds the wait); else abandon the cell.
      let renewals = 0;
      const arm = () => {
        timer = setTimeout(() => {
          // The timer fires only while the main thread is free: a run that does not stop within a few
          // free periods waits on something else (a callback's promise) and is abandoned too.
          if (scope.runs > 0 && renewals++ < RUN_STOP_RENEWALS) arm();
          else finish(() => reject(new InterruptError()));
        }, INTERRUPT_GRACE_MS);
      };
      const stop = this.onInterrupt(() => { if (!timer) arm(); });
      promise.then((v) => finish(() => resolve(v)), (e) => finish(() => reject(e)));
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
  return e instanceof InterruptError || e instanceof CellInterruptedError
    || (e as NodeJS.ErrnoException)?.code === 'ERR_SCRIPT_EXECUTION_INTERRUPTED'
    || (typeof e === 'object' && e !== null && (e as { [INTERRUPTED_KEY]?: boolean })[INTERRUPTED_KEY] === true);
}

/** Lets console output queued by promise callbacks reach the host before `done`. */
function flushMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
