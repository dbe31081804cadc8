/**
 * Drives the training observers (the health monitor and any extra `observers`) so that one that
 * throws or rejects never breaks training: its failure is reported once on the console and the
 * run goes on. Internal to the training loop.
 */
import type { RunEvent, RunStatus } from '../protocol/health';
import type { BatchEndInfo, TrainBeginInfo, TrainingObserver } from './observer';

type Method = 'onTrainBegin' | 'onBatchBegin' | 'onBatchEnd' | 'onEpochEnd' | 'onTrainEnd' | 'onEvent';

/** Calls each observer in turn, isolating their failures. */
export class ObserverHub {
  private readonly reported = new Set<string>();

  constructor(readonly observers: readonly TrainingObserver[]) {}

  get empty(): boolean {
    return this.observers.length === 0;
  }

  private report(o: TrainingObserver, method: Method, e: unknown): void {
    const who = (o as object).constructor?.name ?? 'observer';
    const key = `${this.observers.indexOf(o)}:${method}`;
    if (this.reported.has(key)) return;
    this.reported.add(key);
    console.warn(`gradscope: ${who}.${method} failed (training goes on): ${(e as Error)?.message ?? String(e)}`);
  }

  private async each(method: Method, call: (o: TrainingObserver) => void | Promise<void>): Promise<void> {
    for (const o of this.observers) {
      try {
        const r = call(o);
        if (r && typeof (r as Promise<void>).then === 'function') await r;
      } catch (e) {
        this.report(o, method, e);
      }
    }
  }

  trainBegin(info: TrainBeginInfo): Promise<void> {
    return this.each('onTrainBegin', (o) => o.onTrainBegin(info));
  }
  batchBegin(step: number, epoch: number): Promise<void> {
    return this.each('onBatchBegin', (o) => o.onBatchBegin(step, epoch));
  }
  batchEnd(step: number, info: BatchEndInfo): Promise<void> {
    return this.each('onBatchEnd', (o) => o.onBatchEnd(step, info));
  }
  epochEnd(epoch: number, logs: Record<string, number>): Promise<void> {
    return this.each('onEpochEnd', (o) => o.onEpochEnd(epoch, { ...logs }));
  }
  trainEnd(status: RunStatus, error?: string): Promise<void> {
    return this.each('onTrainEnd', (o) => o.onTrainEnd(status, error));
  }
  event(e: RunEvent): void {
    for (const o of this.observers) {
      try {
        o.onEvent(e);
      } catch (err) {
        this.report(o, 'onEvent', err);
      }
    }
  }
}
