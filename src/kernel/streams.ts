/**
 * Console output of a cell on its way to the host: coalesced (one message per stream per
 * `flushMs` instead of one per `console.log`), and bounded. A cell's first `headLines` lines (or
 * `headBytes`) are sent as they come; after that the cell's whole output goes to a file in the
 * kernel's temp folder, and the editor gets one "tail" output, replaced in place, that says how many
 * lines were hidden, where the full text is, and shows the last `tailLines` lines. Nothing is sent
 * while an earlier message is still queued on the IPC channel, so a flood cannot pile up in the
 * kernel's memory: its cost is bounded by the tail and the file.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Options of {@link StreamCollector}. */
export interface StreamCollectorArgs {
  /** Lines shown as they come, per cell. Defaults to 2000. */
  headLines?: number;
  /** Bytes (UTF-16 code units) shown as they come, per cell. Defaults to 256 KiB. */
  headBytes?: number;
  /** Lines in the tail output. Defaults to 1000. */
  tailLines?: number;
  /** Code units in the tail output at most (one huge line is cut at its end). Defaults to 128 KiB. */
  tailBytes?: number;
  /** Coalescing period in ms. Defaults to 50. */
  flushMs?: number;
  /** Folder for spilled output. Defaults to a per-process folder in the OS temp dir. */
  dir?: string;
}

/** What the collector hands on; `ready` is called once the previous message left the process. */
export interface StreamSink {
  stream(name: 'stdout' | 'stderr', text: string): void;
  /** The tail output of the cell (created by the first call, replaced by later ones). */
  tail(text: string, done: () => void): void;
}

type Name = 'stdout' | 'stderr';

/** Spilled text is written in pieces of about this many code units. */
const SPILL_WRITE_CHARS = 64 * 1024;

/** Stream output of one cell; see the file comment. */
export class StreamCollector {
  private readonly headLines: number;
  private readonly headBytes: number;
  private readonly tailLines: number;
  private readonly tailBytes: number;
  readonly flushMs: number;
  private readonly dir: string;
  private pending: { name: Name; text: string }[] = [];
  private lines = 0;
  private bytes = 0;
  private spill: { fd: number; path: string } | undefined;
  /** The last lines, newest last, in pieces (tail mode). */
  private tailChunks: string[] = [];
  private tailChunkLines = 0;
  private tailChunkChars = 0;
  /** What was shown of the head (it goes into the spill file when the output overflows). */
  private head: string[] = [];
  private spillChunks: string[] = [];
  private spillChars = 0;
  private hiddenLines = 0;
  private tailDirty = false;
  private tailInFlight = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly sink: StreamSink, private readonly label: string, args: StreamCollectorArgs = {}) {
    this.headLines = args.headLines ?? 2000;
    this.headBytes = args.headBytes ?? 256 * 1024;
    this.tailLines = args.tailLines ?? 1000;
    this.tailBytes = args.tailBytes ?? 128 * 1024;
    this.flushMs = args.flushMs ?? 50;
    this.dir = args.dir ?? path.join(os.tmpdir(), `gradscope-kernel-${process.pid}`);
  }

  /** Path of the file with the cell's full output, once it overflowed. */
  get spillPath(): string | undefined {
    return this.spill?.path;
  }

  write(name: Name, text: string): void {
    if (text === '') return;
    if (this.spill) {
      this.toTail(text);
      return;
    }
    const nl = countNewlines(text);
    if (this.lines + nl < this.headLines && this.bytes + text.length <= this.headBytes) {
      this.lines += nl;
      this.bytes += text.length;
      this.head.push(text);
      const last = this.pending[this.pending.length - 1];
      if (last?.name === name) last.text += text;
      else this.pending.push({ name, text });
      this.schedule();
      return;
    }
    // Overflow: everything so far goes to the file, the rest of the cell's output too.
    this.openSpill();
    this.toTail(text);
  }

  /** Sends what is pending now (before another output, and when the cell ends). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const pending = this.pending;
    this.pending = [];
    for (const p of pending) this.sink.stream(p.name, p.text);
    this.sendTail();
  }

  /** Flushes and closes the spill file; the collector is done. */
  close(): void {
    this.flush();
    if (this.spill) {
      // The final tail must show the end of the output, even if one was still in flight.
      if (this.tailDirty) { this.tailInFlight = false; this.sendTail(); }
      this.writeSpill();
      fs.closeSync(this.spill.fd);
    }
  }

  private schedule(): void {
    if (!this.timer) this.timer = setTimeout(() => this.flush(), this.flushMs);
  }

  private openSpill(): void {
    fs.mkdirSync(this.dir, { recursive: true });
    const file = path.join(this.dir, `${this.label.replace(/[^\w.-]+/g, '_')}-${Date.now()}.txt`);
    const fd = fs.openSync(file, 'w');
    this.spill = { fd, path: file };
    // The head already shown is in the file as well, so the file is the cell's whole output.
    fs.writeSync(fd, this.head.join(''));
    this.head = [];
    this.flushHeadOnly();
    this.hiddenLines = 0;
  }

  /** Sends the pending head text (the file already has it). */
  private flushHeadOnly(): void {
    const pending = this.pending;
    this.pending = [];
    for (const p of pending) this.sink.stream(p.name, p.text);
  }

  private toTail(text: string): void {
    this.spillChunks.push(text);
    this.spillChars += text.length;
    if (this.spillChars >= SPILL_WRITE_CHARS) this.writeSpill();
    this.tailChunks.push(text);
    this.tailChunkLines += countNewlines(text);
    this.tailChunkChars += text.length;
    // Trimming joins the window: do it when it doubled, so each write costs O(its own length).
    if (this.tailChunkLines > 2 * this.tailLines || this.tailChunkChars > 2 * this.tailBytes) this.trimTail();
    this.tailDirty = true;
    this.schedule();
  }

  private writeSpill(): void {
    if (!this.spill || this.spillChunks.length === 0) return;
    fs.writeSync(this.spill.fd, this.spillChunks.join(''));
    this.spillChunks = [];
    this.spillChars = 0;
  }

  /** Keeps the last tailLines lines and at most tailBytes code units of the window. */
  private trimTail(): void {
    let t = this.tailChunks.join('');
    let nl = countNewlines(t);
    const limit = this.tailLines + (t.endsWith('\n') ? 1 : 0);
    if (nl >= limit) {
      let cut = 0;
      for (let drop = nl - limit + 1; drop > 0; drop--) cut = t.indexOf('\n', cut) + 1;
      this.hiddenLines += nl - limit + 1;
      t = t.slice(cut);
      nl = limit - 1;
    }
    if (t.length > this.tailBytes) {
      const cut = t.length - this.tailBytes;
      const dropped = countNewlines(t.slice(0, cut));
      this.hiddenLines += dropped;
      nl -= dropped;
      t = t.slice(cut);
    }
    this.tailChunks = [t];
    this.tailChunkLines = nl;
    this.tailChunkChars = t.length;
  }

  private sendTail(): void {
    this.writeSpill();
    if (!this.spill || !this.tailDirty || this.tailInFlight) return;
    this.trimTail();
    this.tailDirty = false;
    this.tailInFlight = true;
    const header = `… ${this.hiddenLines.toLocaleString('en-US')} more line${this.hiddenLines === 1 ? '' : 's'} hidden; the full output is in ${this.spill.path}\n`;
    this.sink.tail(header + this.tailChunks.join(''), () => {
      this.tailInFlight = false;
      if (this.tailDirty) this.schedule();
    });
  }
}

function countNewlines(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) n++;
  return n;
}
