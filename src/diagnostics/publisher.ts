/**
 * The monitor's publishing piece, and the one throttle of health updates: snapshots are built only
 * when one is due (at most one per `intervalMs`, and the final one at once), then go to the kernel
 * (which sends each as it comes), to `onSnapshot`, and to a JSON file every few seconds. A snapshot
 * held back by the throttle is published when the interval has passed even if no step comes (a
 * training loop paused in a callback still shows where it is). File writes are asynchronous, one at
 * a time, so the training loop never waits on the disk; the final write is awaited.
 */
import { writeFile } from 'node:fs/promises';
import type { HealthSnapshot } from '../protocol/health';
import { kernelHooks } from '../protocol/kernelHooks';

/** Least time between two file writes, in ms. */
const FILE_INTERVAL_MS = 5000;

/** Options of {@link Publisher}. */
export interface PublisherArgs {
  /** Least time between two published snapshots, in ms. */
  intervalMs: number;
  /** Write snapshots to this JSON file. */
  file?: string;
  onSnapshot?: (snapshot: HealthSnapshot) => void;
  clock: () => number;
  /** Builds the snapshot now. */
  build: () => { snapshot: HealthSnapshot; json: string };
  /** Told what a publish outside a training step cost (the monitor's time account). */
  charge: (ms: number) => void;
}

/** Publishes one run's snapshots. */
export class Publisher {
  private lastPublish = -Infinity;
  private lastFile = -Infinity;
  private timer?: NodeJS.Timeout;
  private dirty = false;
  private writing?: Promise<void>;
  private queued?: string;

  constructor(private readonly args: PublisherArgs) {}

  private get streams(): boolean {
    return !!kernelHooks() || !!this.args.onSnapshot;
  }

  /** After a step: publishes when due; true when it built a snapshot (the caller times it). */
  step(): boolean {
    const now = this.args.clock();
    const streamDue = this.streams && now - this.lastPublish >= this.args.intervalMs;
    const fileDue = !!this.args.file && now - this.lastFile >= FILE_INTERVAL_MS;
    if (!streamDue && !fileDue) {
      this.dirty = true;
      if (this.streams) this.arm(this.args.intervalMs - (now - this.lastPublish));
      return false;
    }
    this.publish(streamDue, fileDue);
    return true;
  }

  /** The final snapshot: published at once, written and awaited. */
  async final(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.publish(true, !!this.args.file);
    await this.writing;
  }

  private publish(stream: boolean, file: boolean): void {
    const now = this.args.clock();
    const { snapshot, json } = this.args.build();
    this.dirty = false;
    if (stream) {
      this.lastPublish = now;
      kernelHooks()?.publishHealth(snapshot);
      this.args.onSnapshot?.(snapshot);
    }
    if (file) {
      this.lastFile = now;
      this.write(json);
    }
  }

  private arm(wait: number): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.dirty) return;
      // Timers round to whole milliseconds and may fire a little early on this clock: wait the rest.
      const left = this.args.intervalMs - (this.args.clock() - this.lastPublish);
      if (left > 0) return this.arm(left);
      const t0 = this.args.clock();
      this.publish(true, false);
      this.args.charge(this.args.clock() - t0);
    }, Math.max(0, wait));
    this.timer.unref?.();
  }

  private write(json: string): void {
    if (this.writing) {
      this.queued = json;
      return;
    }
    const file = this.args.file!;
    this.writing = writeFile(file, json)
      .catch((e) => console.warn(`gradscope diagnostics: could not write ${file}: ${(e as Error).message}`))
      .then(() => {
        this.writing = undefined;
        const next = this.queued;
        this.queued = undefined;
        if (next !== undefined) this.write(next);
        return this.writing;
      });
  }
}
