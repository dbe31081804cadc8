/**
 * The extension host's side of the language worker: starts dist/languageWorker.js in a worker thread
 * on first use, sends requests, and resolves their replies. A worker that dies fails the pending
 * requests and is started afresh on the next one (the caller syncs the notebooks again: {@link onRestart}).
 */
import { Worker } from 'node:worker_threads';
import type { Method, Requests, ResponseMessage } from './messages';
import type { LanguageWorkerData } from './workerLoader';

export class LanguageClient {
  private worker: Worker | undefined;
  private seq = 0;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private disposed = false;
  /** Called after a replacement worker started (every notebook must be synced again). */
  onRestart: () => void = () => undefined;

  /**
   * `cacheDir`: the folder of the worker's code cache (src/language/workerLoader.ts), private to this
   * user. Defaults to none: every worker compiles the TypeScript compiler afresh.
   */
  constructor(private readonly workerPath: string, private readonly log: (line: string) => void = () => undefined, private readonly cacheDir?: string) {}

  private start(): Worker {
    if (this.worker) return this.worker;
    const restarted = this.seq > 0;
    const w = new Worker(this.workerPath, { workerData: { cacheDir: this.cacheDir } satisfies LanguageWorkerData });
    w.on('message', (m: ResponseMessage) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (this.pending.size === 0) w.unref();
      if ('error' in m) p.reject(new Error(m.error));
      else p.resolve(m.result);
    });
    const fail = (why: string) => {
      if (this.worker !== w) return;
      this.worker = undefined;
      for (const [id, p] of this.pending) {
        this.pending.delete(id);
        p.reject(new Error(`the language worker stopped: ${why}`));
      }
      if (!this.disposed) this.log(`language worker stopped: ${why}`);
    };
    w.on('error', (e) => fail(e.message));
    w.on('exit', (code) => fail(`exit code ${code}`));
    // Idle, the worker does not keep the process alive; a pending request does.
    w.unref();
    this.worker = w;
    if (restarted) queueMicrotask(() => this.onRestart());
    return w;
  }

  request<M extends Method>(method: M, params: Requests[M]['params']): Promise<Requests[M]['result']> {
    if (this.disposed) return Promise.reject(new Error('the language client is disposed'));
    const w = this.start();
    const id = ++this.seq;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      w.ref();
      w.postMessage({ id, method, params });
    });
  }

  dispose(): void {
    this.disposed = true;
    void this.worker?.terminate();
    this.worker = undefined;
    for (const p of this.pending.values()) p.reject(new Error('the language client is disposed'));
    this.pending.clear();
  }
}
