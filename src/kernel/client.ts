/**
 * The host's handle on a kernel process: starts it, runs cells one at a time, interrupts, restarts,
 * and turns a kernel death (process.exit, out of memory, native crash) into a failed cell with a
 * clear message. No `vscode` here: the extension's controller and the headless runner share it.
 */
import { fork, type ChildProcess } from 'node:child_process';
import type { FindingsReport } from '../protocol/health';
import type { ErrorLocation, ExecuteRequest, HostMessage, KernelMessage, KernelOptions, KernelOutput, WatchdogStatus } from '../protocol/kernelMessages';

/**
 * How long an interrupt may go unanswered before the kernel is restarted instead (its variables are
 * lost). The kernel's watchdog renews it while a training step runs (gs.fit stops when it ends).
 */
const INTERRUPT_TIMEOUT_MS = 3000;
/** The longest a single training step is waited for after an interrupt. */
const STEP_WAIT_MAX_MS = 10 * 60 * 1000;
/** The kernel's end of the watchdog pipe (stdio index). */
const WATCHDOG_FD = 4;
/** How the kernel's log announces that it could not start (see main.ts). */
const START_FAILURE = 'kernel failed to start: ';
/** Lines of the kernel's stderr kept to explain a death. */
const STDERR_TAIL_LINES = 20;

/** Receives what a running cell produces. */
export interface ExecutionSink {
  output(output: KernelOutput, displayId?: string): void;
  updateDisplay(displayId: string, output: KernelOutput): void;
  findings?(report: FindingsReport): void;
  /** Asks the user for a line of input (a cell called `prompt()`); absent when this front end cannot. */
  input?(prompt: string, password: boolean): Promise<string>;
}

/** How a cell ended. `died` means the kernel process ended while it ran. */
export interface ExecutionResult {
  status: 'ok' | 'error' | 'interrupted' | 'died';
  error?: ErrorLocation;
  /** For `died`: the message shown to the user. */
  message?: string;
  /** Set when the kernel could not restore TensorFlow.js after an interrupt: why (a restart is advised). */
  restartAdvised?: string;
}

/** The kernel's `ready` message. */
export interface KernelInfo {
  backend: string;
  device?: string;
  tfjsVersion: string;
  notes: string[];
}

/** Options for {@link KernelClient}. */
export interface KernelClientArgs {
  /** Path of dist/kernel.js. */
  kernelPath: string;
  options: KernelOptions;
  /** Node.js options for the kernel process, e.g. `['--max-old-space-size=8192']`. */
  execArgv?: string[];
  /** The executable to run the kernel on; defaults to the host's own. A getter that throws stops the start with its message. */
  execPath?: string;
  /** Kernel log lines (its stderr, start-up notes, output printed while no cell runs). */
  log?: (line: string) => void;
  /** Called when a kernel process starts (info) or ends (reason). */
  onStatus?: (status: { state: 'ready'; info: KernelInfo } | { state: 'dead'; reason: string }) => void;
  /**
   * An output of a cell that already ended (e.g. an error thrown by a timer it set), with the cell's
   * URI (`''`: no cell's code was on the stack). Defaults to writing it to the log.
   */
  onLateOutput?: (cellUri: string, output: KernelOutput) => void;
}

interface Running {
  id: number;
  sink: ExecutionSink;
  resolve(r: ExecutionResult): void;
  interruptTimer?: NodeJS.Timeout;
  /** The watchdog's last word since the interrupt. */
  watchdog?: WatchdogStatus;
  interruptAt?: number;
}

/** One kernel at a time; a dead kernel is replaced on the next run. */
export class KernelClient {
  private child: ChildProcess | undefined;
  private starting: Promise<KernelInfo> | undefined;
  private running: Running | undefined;
  private nextId = 1;
  private stderrTail: string[] = [];
  private killedOnPurpose = false;
  private startFailure: string | undefined;
  private nextQuery = 1;
  private readonly queries = new Map<number, (m: KernelMessage) => void>();
  info: KernelInfo | undefined;

  constructor(private readonly args: KernelClientArgs) {}

  /** True while a kernel process is alive. */
  get alive(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts the kernel if none runs; resolves once it has chosen its backend. */
  start(): Promise<KernelInfo> {
    if (this.alive && this.starting) return this.starting;
    this.killedOnPurpose = false;
    this.startFailure = undefined;
    this.stderrTail = [];
    let execPath: string | undefined;
    try {
      execPath = this.args.execPath;
    } catch (e) {
      return Promise.reject(new Error(`the kernel failed to start: ${(e as Error).message}`));
    }
    const child = fork(this.args.kernelPath, [], {
      ...(execPath ? { execPath } : {}),
      cwd: this.args.options.workspaceDir,
      env: { ...process.env, GRADSCOPE_KERNEL_OPTIONS: JSON.stringify({ ...this.args.options, watchdogFd: WATCHDOG_FD }), ELECTRON_RUN_AS_NODE: '1' },
      execArgv: this.args.execArgv ?? [],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc', 'pipe'],
      serialization: 'advanced',
    });
    this.child = child;
    const pipe = child.stdio[WATCHDOG_FD] as import('node:net').Socket | null;
    pipe?.on('error', () => undefined);
    let buffered = '';
    pipe?.on('data', (d: Buffer) => {
      buffered += d.toString();
      for (let i = buffered.indexOf('\n'); i >= 0; i = buffered.indexOf('\n')) {
        const line = buffered.slice(0, i);
        buffered = buffered.slice(i + 1);
        try {
          this.onWatchdog(JSON.parse(line) as WatchdogStatus);
        } catch {
          // not JSON: ignore
        }
      }
    });
    child.stdout?.on('data', (d: Buffer) => this.log(d.toString()));
    child.stderr?.on('data', (d: Buffer) => {
      this.log(d.toString());
    });
    this.starting = new Promise<KernelInfo>((resolve, reject) => {
      const onMessage = (m: KernelMessage) => {
        if (m.type === 'ready') {
          this.info = { backend: m.backend, device: m.device, tfjsVersion: m.tfjsVersion, notes: m.notes };
          this.log(`kernel ready: backend ${m.backend}${m.device ? ` (${m.device})` : ''}, tfjs ${m.tfjsVersion}`);
          for (const n of m.notes) this.log(`  ${n}`);
          this.args.onStatus?.({ state: 'ready', info: this.info });
          resolve(this.info);
        } else {
          this.onMessage(m);
        }
      };
      child.on('message', onMessage);
      child.once('exit', (code, signal) => {
        const reason = this.deathReason(code, signal);
        if (!this.info || this.child !== child) reject(new Error(`the kernel failed to start: ${reason}`));
        this.onExit(child, reason);
      });
      child.once('error', (e) => reject(e));
    });
    this.starting.catch(() => undefined);
    return this.starting;
  }

  /** Runs one cell; resolves when it ends, fails or the kernel dies. Calls must not overlap. */
  async execute(req: ExecuteRequest, sink: ExecutionSink): Promise<ExecutionResult> {
    if (this.running) throw new Error('a cell is already running in this kernel');
    try {
      await this.start();
    } catch (e) {
      return { status: 'died', message: (e as Error).message };
    }
    const id = this.nextId++;
    return new Promise<ExecutionResult>((resolve) => {
      this.running = { id, sink, resolve };
      this.child!.send({ type: 'execute', id, ...req } satisfies HostMessage);
    });
  }

  /**
   * Completions at `cursor` (UTF-16 offset) from the kernel's live values. Resolves to no matches
   * when no kernel runs or it does not answer within `timeoutMs` (a cell running synchronous code).
   */
  complete(code: string, cursor: number, timeoutMs = 1000): Promise<{ matches: string[]; start: number; end: number }> {
    const none = { matches: [], start: cursor, end: cursor };
    return this.query<Extract<KernelMessage, { type: 'completeReply' }>>((id) => ({ type: 'complete', id, code, cursor }), timeoutMs)
      .then((r) => (r ? { matches: r.matches, start: r.start, end: r.end } : none));
  }

  /** What the name at `cursor` is, from the kernel's live values; undefined when unknown or no answer. */
  inspect(code: string, cursor: number, detail: number, timeoutMs = 1000): Promise<string | undefined> {
    return this.query<Extract<KernelMessage, { type: 'inspectReply' }>>((id) => ({ type: 'inspect', id, code, cursor, detail }), timeoutMs)
      .then((r) => r?.text);
  }

  private query<R extends KernelMessage>(make: (id: number) => HostMessage, timeoutMs: number): Promise<R | undefined> {
    const child = this.child;
    if (!this.alive || !this.info || !child) return Promise.resolve(undefined);
    const id = this.nextQuery++;
    return new Promise<R | undefined>((resolve) => {
      const timer = setTimeout(() => { this.queries.delete(id); resolve(undefined); }, timeoutMs);
      this.queries.set(id, (m) => { clearTimeout(timer); this.queries.delete(id); resolve(m as R); });
      child.send(make(id));
    });
  }

  /**
   * Interrupts the running cell: SIGINT (stops synchronous code) and a word to the kernel's watchdog
   * (raises the flag gs.fit reads, waits for a training step). Restarts the kernel only when it does
   * not respond in time; the message says what kept it.
   */
  interrupt(): void {
    const running = this.running;
    if (!running || !this.child) return;
    this.child.kill('SIGINT');
    (this.child.stdio[WATCHDOG_FD] as import('node:net').Socket | null)?.write('{"type":"interrupt"}\n');
    running.watchdog = undefined;
    running.interruptAt = Date.now();
    this.armInterruptTimer(running, INTERRUPT_TIMEOUT_MS);
  }

  private armInterruptTimer(running: Running, ms: number): void {
    clearTimeout(running.interruptTimer);
    running.interruptTimer = setTimeout(() => {
      if (this.running !== running) return;
      const w = running.watchdog;
      if (w?.kind === 'waitingForStep' && Date.now() - (running.interruptAt ?? 0) < STEP_WAIT_MAX_MS) {
        this.armInterruptTimer(running, INTERRUPT_TIMEOUT_MS);
        return;
      }
      this.log('the kernel did not respond to the interrupt; restarting it');
      this.kill(`${this.stuckReason(w)} and was restarted`);
    }, ms);
  }

  /** Why an interrupt did not end the cell, from the watchdog's last report. */
  private stuckReason(w: WatchdogStatus | undefined): string {
    const s = INTERRUPT_TIMEOUT_MS / 1000;
    if (!w) return `it did not stop within ${s} s of the interrupt (it was busy in native code or a blocking call, which JavaScript cannot interrupt)`;
    switch (w.kind) {
      case 'waitingForStep':
        return `a training step of gs.fit (step ${w.step}) was still running ${Math.round(STEP_WAIT_MAX_MS / 60000)} min after the interrupt`;
      case 'busy':
        return `it did not stop within ${s} s of the interrupt: it was running ${w.what === 'tfjs' ? 'TensorFlow.js operations' : 'JavaScript'} after an await without yielding (a loop with no await in it), which cannot be interrupted`;
    }
  }

  private onWatchdog(status: WatchdogStatus): void {
    const r = this.running;
    if (!r || r.interruptAt === undefined) return;
    r.watchdog = status;
    if (status.kind === 'waitingForStep') this.log(`interrupt: waiting for training step ${status.step} to end (running ${status.runningMs} ms); gs.fit stops after it`);
    if (status.kind === 'busy') this.log(`interrupt: the kernel is busy in ${status.what === 'tfjs' ? 'TensorFlow.js operations' : 'JavaScript'} after an await (${status.busyMs} ms), which cannot be interrupted`);
  }

  /** Ends the kernel (its variables are lost); the next run starts a new one. */
  async restart(): Promise<KernelInfo> {
    this.kill('the kernel was restarted');
    return this.start();
  }

  /** Ends the kernel process for good. */
  dispose(): void {
    this.kill('the kernel was shut down');
  }

  private kill(reason: string): void {
    const child = this.child;
    if (!child) return;
    this.killedOnPurpose = true;
    this.finishRunning({ status: 'died', message: `The kernel died: ${reason}; variables are lost; the next run starts a new kernel.` });
    this.child = undefined;
    this.starting = undefined;
    this.info = undefined;
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }

  private onMessage(m: KernelMessage): void {
    const r = this.running;
    switch (m.type) {
      case 'log':
        if (m.text.startsWith(START_FAILURE)) this.startFailure = m.text.slice(START_FAILURE.length);
        this.log(m.text);
        return;
      case 'interruptReceived':
        return;
      case 'completeReply':
      case 'inspectReply':
        this.queries.get(m.id)?.(m);
        return;
      case 'inputRequest': {
        const reply = (r: { value?: string; error?: string }) => this.child?.send({ type: 'inputReply', id: m.id, ...r } satisfies HostMessage);
        const ask = r && r.id === m.execution ? r.sink.input?.bind(r.sink) : undefined;
        if (!ask) reply({ error: 'this front end cannot ask for input' });
        else ask(m.prompt, m.password).then((value) => reply({ value }), (e: Error) => reply({ error: e.message }));
        return;
      }
      case 'output':
        if (r?.id === m.id) r.sink.output(m.output, m.displayId);
        else if (m.output.output_type === 'stream') this.log(m.output.text);
        return;
      case 'updateDisplay':
        if (r?.id === m.id) r.sink.updateDisplay(m.displayId, m.output);
        return;
      case 'findings':
        if (r?.id === m.id) r.sink.findings?.(m.report);
        return;
      case 'done':
        if (r?.id === m.id) this.finishRunning({ status: m.status, error: m.error, ...(m.restartAdvised ? { restartAdvised: m.restartAdvised } : {}) });
        return;
      case 'lateOutput':
        if (this.args.onLateOutput) this.args.onLateOutput(m.cellUri, m.output);
        else if (m.output.output_type === 'error') this.log(m.output.traceback.join('\n'));
        return;
    }
  }

  private onExit(child: ChildProcess, reason: string): void {
    if (this.child !== child) return;
    this.child = undefined;
    this.starting = undefined;
    this.info = undefined;
    this.log(`kernel exited: ${reason}`);
    this.args.onStatus?.({ state: 'dead', reason });
    if (!this.killedOnPurpose) {
      this.finishRunning({ status: 'died', message: `The kernel died: ${reason}; variables are lost; the next run starts a new kernel.` });
    }
  }

  private finishRunning(result: ExecutionResult): void {
    const r = this.running;
    if (!r) return;
    clearTimeout(r.interruptTimer);
    this.running = undefined;
    r.resolve(result);
  }

  private deathReason(code: number | null, signal: NodeJS.Signals | null): string {
    const tail = this.stderrTail.join('\n');
    if (/heap out of memory|Reached heap limit|Allocation failed/i.test(tail)) return 'it ran out of memory (JavaScript heap)';
    if (signal) return `it was ended by ${signal}${signal === 'SIGSEGV' || signal === 'SIGABRT' ? ' (a native crash)' : ''}`;
    if (!this.info && this.startFailure) return `it could not start: ${this.startFailure}`;
    return `its process exited with code ${code} (process.exit() or a fatal error in the cell)`;
  }

  private log(text: string): void {
    this.stderrTail = [...this.stderrTail, ...text.split('\n').filter(Boolean)].slice(-STDERR_TAIL_LINES);
    this.args.log?.(text.replace(/\n$/, ''));
  }
}
