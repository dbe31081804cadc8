/**
 * Writes TensorBoard event files without tfjs-node (see tfEvent.ts for the format): one file per
 * training run, `events.out.tfevents.<seconds>.<host>.gradscope` in the given folder, created (with
 * its parents) when the writer is made; a path that cannot be a folder fails there with a message
 * naming it. Events are queued and appended in the background; {@link TensorBoardWriter.close}
 * writes the rest and waits for it. `tensorboard --logdir <folder's parent>` shows the runs.
 */
import { appendFileSync, mkdirSync, statSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { fileVersionEvent, summaryEvent, tfRecord, type TbValue } from './tfEvent';

/** Bytes queued before a background append starts. */
const FLUSH_BYTES = 64 * 1024;

/** Creates `dir` (and its parents) for event files, or throws naming it and why not. */
export function ensureLogDir(dir: string, who: string): string {
  if (typeof dir !== 'string' || dir.trim() === '') throw new Error(`${who}: \`tensorboard\` must be a folder path, e.g. 'logs/run1', got ${JSON.stringify(dir)}`);
  const abs = resolve(dir);
  let isDir: boolean | undefined;
  try { isDir = statSync(abs).isDirectory(); } catch { isDir = undefined; }
  if (isDir === false) throw new Error(`${who}: \`tensorboard: '${dir}'\` is a file (${abs}); TensorBoard logs go into a folder: pass a folder path`);
  try {
    mkdirSync(abs, { recursive: true });
  } catch (e) {
    throw new Error(`${who}: cannot create the TensorBoard folder '${dir}' (${abs}): ${(e as Error).message}`);
  }
  return abs;
}

/** One event file. */
let fileCounter = 0;

export class TensorBoardWriter {
  /** The event file's path. */
  readonly file: string;
  private queue: Uint8Array[] = [];
  private queued = 0;
  private writing: Promise<void> = Promise.resolve();
  private failed?: Error;

  /** Creates the folder and the file with its first event (synchronously, so a bad path fails here). */
  constructor(dir: string, who = 'gs.fit') {
    const abs = ensureLogDir(dir, who);
    const now = Date.now() / 1000;
    // A counter as well: two runs logged to one folder in the same second must not share a file.
    this.file = join(abs, `events.out.tfevents.${Math.floor(now)}.${hostname()}.${process.pid}.${++fileCounter}.gradscope`);
    try {
      appendFileSync(this.file, tfRecord(fileVersionEvent(now)));
    } catch (e) {
      throw new Error(`${who}: cannot write the TensorBoard event file ${this.file}: ${(e as Error).message}`);
    }
  }

  /** Queues one event of `values` at `step` (non-finite scalars are written as they are). */
  write(step: number, values: TbValue[], wallTime = Date.now() / 1000): void {
    if (values.length === 0) return;
    const rec = tfRecord(summaryEvent(wallTime, step, values));
    this.queue.push(rec);
    this.queued += rec.length;
    if (this.queued >= FLUSH_BYTES) this.flush();
  }

  /** Starts appending what is queued (in order after earlier appends). */
  flush(): void {
    if (this.queue.length === 0) return;
    const data = Buffer.concat(this.queue);
    this.queue = [];
    this.queued = 0;
    this.writing = this.writing.then(() => appendFile(this.file, data)).catch((e: Error) => {
      if (!this.failed) console.warn(`gradscope diagnostics: could not append to the TensorBoard event file ${this.file}: ${e.message}`);
      this.failed = e;
    });
  }

  /** Writes everything queued and waits for it. */
  async close(): Promise<void> {
    this.flush();
    await this.writing;
  }
}
