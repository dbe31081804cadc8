/**
 * The Jupyter side of a Gradscope kernel: answers the protocol's requests with the same kernel
 * process the editor uses (a {@link KernelClient}: same compiler, runtime, backends, diagnostics and
 * interrupts), so a notebook runs the same in JupyterLab, nbclient and VS Code. No sockets here:
 * {@link JupyterTransport} carries the messages (server.ts binds it to ZeroMQ; tests to arrays).
 */
import type { ExecutionResult, ExecutionSink, KernelClient, KernelInfo } from '../kernel/client';
import type { KernelOutput } from '../protocol/kernelMessages';
import { History, type HistoryQuery } from './history';
import { isComplete } from './isComplete';
import { PROTOCOL_VERSION, type Message } from './wire';

/** How replies and broadcasts leave the kernel. */
export interface JupyterTransport {
  /** A reply on the channel the request came in on. */
  reply(req: Message, msgType: string, content: Record<string, unknown>, metadata?: Record<string, unknown>): void;
  /** An IOPub broadcast; `parent` is the request it belongs to. */
  publish(parent: Message | undefined, msgType: string, content: Record<string, unknown>): void;
  /** Asks the front end on the stdin channel; resolves to the user's line. */
  input(parent: Message, prompt: string, password: boolean): Promise<string>;
}

/** The parts of {@link KernelClient} this front end uses. */
export type KernelProcess = Pick<KernelClient, 'start' | 'execute' | 'interrupt' | 'dispose' | 'complete' | 'inspect'>;

/** Options of {@link JupyterKernel}. */
export interface JupyterKernelArgs {
  /** The kernel process. */
  kernel: KernelProcess;
  transport: JupyterTransport;
  /** Called after a shutdown request was answered (the server closes its sockets and exits). */
  onShutdown(restart: boolean): void;
  /** Version of this package, for kernel_info. */
  version: string;
  /** TypeScript's version, for language_info. */
  typescriptVersion: string;
}

type Execute = { req: Message; code: string; silent: boolean; storeHistory: boolean; stopOnError: boolean; allowStdin: boolean; userExpressions: Record<string, string> };

/** One Jupyter kernel session. */
export class JupyterKernel {
  private executionCount = 0;
  private readonly history = new History();
  private readonly queue: Execute[] = [];
  private running = false;
  private info: KernelInfo | undefined;
  private displaySession = Date.now().toString(36);

  constructor(private readonly args: JupyterKernelArgs) {}

  /** Starts the kernel process (its backend choice shows in kernel_info's banner). */
  async start(): Promise<void> {
    this.info = await this.args.kernel.start();
  }

  /** Waits for the kernel process (completions and inspection read its live values); never throws. */
  private async ready(): Promise<void> {
    await this.args.kernel.start().then((info) => { this.info = info; }, () => undefined);
  }

  /** Handles one request from the shell or control channel. */
  async handle(req: Message): Promise<void> {
    const t = this.args.transport;
    const type = req.header.msg_type;
    if (type === 'execute_request') {
      this.enqueue(req);
      return;
    }
    t.publish(req, 'status', { execution_state: 'busy' });
    try {
      await this.answer(req, type);
    } finally {
      t.publish(req, 'status', { execution_state: 'idle' });
    }
  }

  private async answer(req: Message, type: string): Promise<void> {
    const t = this.args.transport;
    const c = req.content;
    switch (type) {
      case 'kernel_info_request':
        // Answered once the kernel process is up: clients take this reply as "ready", and the banner
        // names the backend it chose.
        await this.ready();
        t.reply(req, 'kernel_info_reply', this.kernelInfo());
        return;
      case 'is_complete_request':
        t.reply(req, 'is_complete_reply', isComplete(String(c.code ?? '')));
        return;
      case 'complete_request': {
        await this.ready();
        const code = String(c.code ?? '');
        const cursor = toUtf16(code, Number(c.cursor_pos ?? codePoints(code)));
        const r = await this.args.kernel.complete(code, cursor);
        t.reply(req, 'complete_reply', {
          status: 'ok', matches: r.matches, cursor_start: toCodePoints(code, r.start), cursor_end: toCodePoints(code, r.end), metadata: {},
        });
        return;
      }
      case 'inspect_request': {
        await this.ready();
        const code = String(c.code ?? '');
        const text = await this.args.kernel.inspect(code, toUtf16(code, Number(c.cursor_pos ?? codePoints(code))), Number(c.detail_level ?? 0));
        t.reply(req, 'inspect_reply', { status: 'ok', found: text !== undefined, data: text === undefined ? {} : { 'text/plain': text }, metadata: {} });
        return;
      }
      case 'history_request':
        try {
          t.reply(req, 'history_reply', { status: 'ok', history: this.history.query(c as HistoryQuery) });
        } catch (e) {
          t.reply(req, 'history_reply', { status: 'error', ename: 'ValueError', evalue: (e as Error).message, traceback: [], history: [] });
        }
        return;
      case 'comm_info_request':
        t.reply(req, 'comm_info_reply', { status: 'ok', comms: {} });
        return;
      case 'interrupt_request':
        this.args.kernel.interrupt();
        t.reply(req, 'interrupt_reply', { status: 'ok' });
        return;
      case 'shutdown_request': {
        const restart = c.restart === true;
        t.reply(req, 'shutdown_reply', { status: 'ok', restart });
        this.args.kernel.dispose();
        this.args.onShutdown(restart);
        return;
      }
      default:
        // Requests this kernel does not implement get an error reply naming them, never silence.
        if (type.endsWith('_request')) {
          t.reply(req, type.replace(/_request$/, '_reply'), { status: 'error', ename: 'NotImplementedError', evalue: `the Gradscope kernel does not handle ${type}`, traceback: [] });
        }
    }
  }

  kernelInfo(): Record<string, unknown> {
    const backend = this.info ? `${this.info.backend}${this.info.device ? ` (${this.info.device})` : ''}, TensorFlow.js ${this.info.tfjsVersion}` : 'not started';
    return {
      status: 'ok',
      protocol_version: PROTOCOL_VERSION,
      implementation: 'gradscope',
      implementation_version: this.args.version,
      language_info: {
        name: 'typescript', version: this.args.typescriptVersion, mimetype: 'text/typescript', file_extension: '.ts',
        codemirror_mode: { name: 'javascript', typescript: true },
      },
      banner: `Gradscope ${this.args.version}: TypeScript on TensorFlow.js, backend ${backend}`,
      help_links: [{ text: 'Gradscope', url: 'https://www.npmjs.com/package/gradscope' }],
      debugger: false,
    };
  }

  private enqueue(req: Message): void {
    const c = req.content;
    this.queue.push({
      req,
      code: String(c.code ?? ''),
      silent: c.silent === true,
      storeHistory: c.store_history !== false && c.silent !== true,
      stopOnError: c.stop_on_error !== false,
      allowStdin: c.allow_stdin !== false,
      userExpressions: (typeof c.user_expressions === 'object' && c.user_expressions !== null ? c.user_expressions : {}) as Record<string, string>,
    });
    if (!this.running) void this.drain();
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      for (let next = this.queue.shift(); next; next = this.queue.shift()) {
        const failed = await this.execute(next);
        if (failed && next.stopOnError) {
          // As IPython: requests queued behind a failed cell are aborted, not run against a broken state.
          for (const aborted of this.queue.splice(0)) this.abort(aborted);
        }
      }
    } finally {
      this.running = false;
    }
  }

  private abort(e: Execute): void {
    const t = this.args.transport;
    t.publish(e.req, 'status', { execution_state: 'busy' });
    t.reply(e.req, 'execute_reply', { status: 'aborted', execution_count: this.executionCount }, { status: 'aborted' });
    t.publish(e.req, 'status', { execution_state: 'idle' });
  }

  /** Runs one execute request; true when it failed. */
  private async execute(e: Execute): Promise<boolean> {
    const t = this.args.transport;
    t.publish(e.req, 'status', { execution_state: 'busy' });
    try {
      if (e.storeHistory) this.executionCount++;
      const n = this.executionCount;
      if (!e.silent) t.publish(e.req, 'execute_input', { code: e.code, execution_count: n });
      const entry = e.storeHistory ? this.history.add(n, e.code) : undefined;
      let lastError: Extract<KernelOutput, { output_type: 'error' }> | undefined;
      const result = await this.args.kernel.execute(
        { source: e.code, filename: `jupyter-cell:/${this.displaySession}/${n}`, label: `In [${n}]`, cellUri: `In [${n}]`, executionCount: n },
        this.sink(e, (o) => {
          if (o.output_type === 'error') lastError = o;
          if (o.output_type === 'execute_result' && entry) entry.output = plainText(o.data);
        }),
      );
      const err = this.errorOf(result, lastError);
      if (err && !lastError && !e.silent) t.publish(e.req, 'error', err);
      const userExpressions = err ? {} : await this.userExpressions(e, n);
      const content = err
        ? { status: 'error', execution_count: n, ...err }
        : { status: 'ok', execution_count: n, payload: [], user_expressions: userExpressions };
      t.reply(e.req, 'execute_reply', content, { status: content.status });
      return !!err;
    } finally {
      t.publish(e.req, 'status', { execution_state: 'idle' });
    }
  }

  private sink(e: Execute, seen: (o: KernelOutput) => void): ExecutionSink {
    const t = this.args.transport;
    const display = (id: string) => `${this.displaySession}-${id}`;
    return {
      output: (o, displayId) => {
        seen(o);
        if (e.silent) return;
        const m = toIopub(o);
        if (displayId && m.type === 'display_data') m.content.transient = { display_id: display(displayId) };
        t.publish(e.req, m.type, m.content);
      },
      updateDisplay: (displayId, o) => {
        if (e.silent || o.output_type !== 'display_data') return;
        t.publish(e.req, 'update_display_data', { data: o.data, metadata: o.metadata, transient: { display_id: display(displayId) } });
      },
      input: e.allowStdin ? (prompt, password) => t.input(e.req, prompt, password) : undefined,
    };
  }

  /** The reply's error fields for a failed cell; undefined when it ran to its end. */
  private errorOf(result: ExecutionResult, shown: Extract<KernelOutput, { output_type: 'error' }> | undefined): { ename: string; evalue: string; traceback: string[] } | undefined {
    if (result.status === 'ok') return undefined;
    if (shown) return { ename: shown.ename, evalue: shown.evalue, traceback: shown.traceback };
    const message = result.message ?? result.error?.message ?? `the cell ended: ${result.status}`;
    return { ename: result.status === 'died' ? 'KernelDied' : result.status === 'interrupted' ? 'Interrupted' : 'Error', evalue: message, traceback: [message] };
  }

  /** `user_expressions`: each one evaluated after the cell, as its own silent execution. */
  private async userExpressions(e: Execute, n: number): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {};
    for (const [name, expr] of Object.entries(e.userExpressions)) {
      let value: Record<string, unknown> | undefined;
      let error: Extract<KernelOutput, { output_type: 'error' }> | undefined;
      const r = await this.args.kernel.execute(
        { source: `(${expr})\n`, filename: `jupyter-expr:/${this.displaySession}/${n}/${name}`, label: `user expression ${name}`, cellUri: name, executionCount: n },
        {
          output: (o) => {
            if (o.output_type === 'execute_result') value = { data: o.data, metadata: o.metadata };
            else if (o.output_type === 'error') error = o;
          },
          updateDisplay: () => undefined,
        },
      );
      if (r.status === 'ok') out[name] = { status: 'ok', data: value?.data ?? { 'text/plain': 'undefined' }, metadata: value?.metadata ?? {} };
      else out[name] = { status: 'error', ename: error?.ename ?? 'Error', evalue: error?.evalue ?? r.message ?? r.status, traceback: error?.traceback ?? [] };
    }
    return out;
  }
}

/** A kernel output as the IOPub message that carries it. */
function toIopub(o: KernelOutput): { type: string; content: Record<string, unknown> } {
  switch (o.output_type) {
    case 'stream':
      return { type: 'stream', content: { name: o.name, text: o.text } };
    case 'display_data':
      return { type: 'display_data', content: { data: o.data, metadata: o.metadata } };
    case 'execute_result':
      return { type: 'execute_result', content: { data: o.data, metadata: o.metadata, execution_count: o.execution_count } };
    case 'error':
      return { type: 'error', content: { ename: o.ename, evalue: o.evalue, traceback: o.traceback } };
  }
}

function plainText(data: Record<string, unknown>): string | null {
  const t = data['text/plain'];
  return t === undefined ? null : Array.isArray(t) ? t.join('') : String(t);
}

/** Jupyter counts cursor positions in Unicode code points; JavaScript strings in UTF-16 units. */
function toUtf16(code: string, cursor: number): number {
  return Array.from(code).slice(0, Math.max(0, cursor)).join('').length;
}

function toCodePoints(code: string, index: number): number {
  return Array.from(code.slice(0, index)).length;
}

function codePoints(code: string): number {
  return Array.from(code).length;
}
