/**
 * `prompt(message?, { password? })` in cells: asks the front end for a line of input and resolves to
 * it (Jupyter's stdin channel; the editor's input box). Rejects when the front end cannot ask, and
 * when the cell is interrupted while waiting.
 */
import type { HostMessage, KernelMessage } from '../protocol/kernelMessages';

type Pending = { resolve(v: string): void; reject(e: Error): void };

/** The kernel's open input requests. */
export class InputRequests {
  private seq = 0;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly send: (m: KernelMessage) => void, private readonly execution: () => number | undefined) {}

  ask(message: unknown = '', opts: { password?: boolean } = {}): Promise<string> {
    const execution = this.execution();
    if (execution === undefined) return Promise.reject(new Error('prompt() can only ask while a cell runs'));
    const id = ++this.seq;
    return new Promise<string>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.send({ type: 'inputRequest', id, execution, prompt: String(message), password: !!opts.password });
    });
  }

  answer(m: Extract<HostMessage, { type: 'inputReply' }>): void {
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (m.error !== undefined || m.value === undefined) p.reject(new Error(`prompt(): ${m.error ?? 'no answer'}`));
    else p.resolve(m.value);
  }

  cancelAll(why: string): void {
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      p.reject(new Error(`prompt(): ${why}`));
    }
  }
}
