/**
 * The kernel's watchdog: a worker thread that the host can reach while the main thread is busy. The
 * host writes `{"type":"interrupt"}` lines to an extra pipe (fd `watchdogFd`, next to the IPC
 * channel); the worker raises the shared interrupt flag at once (gs.fit reads it at the end of its
 * step) and then watches the main thread:
 * - in a training step of gs.fit: waits (the run stops when the step ends) and tells the host so;
 * - in the synchronous part of a cell: nothing to do, vm's breakOnSigint stops it on SIGINT;
 * - busy in JavaScript after an await (the event loop has not turned for a while): says so, and in
 *   what (a TensorFlow.js op or plain JavaScript). Such code cannot be stopped safely: terminating V8
 *   there while cells' async context is tracked aborts Node (`execution_async_id() == 0`), so the host
 *   restarts the kernel, saying why.
 * Each observation is sent back as a `WatchdogStatus` line, which is what the host's escalation reads.
 */
import { Worker } from 'node:worker_threads';
import type { KernelActivity } from './activity';
import type { WatchdogStatus } from '../protocol/kernelMessages';

/** How long the main thread may stay busy after an interrupt before it counts as stuck. */
export const BUSY_GRACE_MS = 300;
/** How often the main thread marks its event loop as turning. */
const HEARTBEAT_MS = 50;

/** Starts the heartbeat and the worker; without a pipe (an old host) there is no worker. */
export function startWatchdog(activity: KernelActivity, fd: number | undefined, log: (text: string) => void): void {
  activity.beat();
  setInterval(() => activity.beat(), HEARTBEAT_MS).unref();
  if (fd === undefined) return;
  const worker = new Worker(`(${watchdogMain.toString()})(require('node:worker_threads').workerData)`, {
    eval: true,
    workerData: { buffer: activity.buffer, fd, graceMs: BUSY_GRACE_MS },
  });
  worker.on('error', (e) => log(`kernel watchdog failed: ${e.message}; interrupts of code after an await escalate to a restart`));
  worker.unref();
}

/**
 * The worker's code; runs in the worker, so it must only use what it requires itself. Slot numbers
 * are those of activity.ts.
 */
function watchdogMain(data: { buffer: SharedArrayBuffer; fd: number; graceMs: number }): void {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const net = require('node:net') as typeof import('node:net');
  const i32 = new Int32Array(data.buffer, 0, 8);
  const f64 = new Float64Array(data.buffer, 32, 8);
  const sock = new net.Socket({ fd: data.fd, readable: true, writable: true });
  sock.on('error', () => undefined);
  const send = (s: WatchdogStatus) => { sock.write(`${JSON.stringify(s)}\n`); };
  let timer: NodeJS.Timeout | undefined;
  let buffered = '';
  sock.on('data', (d: Buffer) => {
    buffered += d.toString();
    for (let i = buffered.indexOf('\n'); i >= 0; i = buffered.indexOf('\n')) {
      const line = buffered.slice(0, i);
      buffered = buffered.slice(i + 1);
      try {
        if ((JSON.parse(line) as { type?: string }).type === 'interrupt') watch();
      } catch {
        // not a message of ours
      }
    }
  });

  function watch(): void {
    Atomics.store(i32, 1, 1); // interruptRequested
    clearInterval(timer);
    let quietUntil = Date.now() + data.graceMs;
    let lastStep = -1;
    let reportedBusy = false;
    timer = setInterval(() => {
      if (Atomics.load(i32, 1) === 0) { clearInterval(timer); return; } // the cell ended
      const state = Atomics.load(i32, 0);
      const now = Date.now();
      if (state === 2) { // TrainStep
        const step = Atomics.load(i32, 4);
        if (step !== lastStep) { lastStep = step; send({ kind: 'waitingForStep', step, runningMs: Math.round(now - f64[5]) }); }
        quietUntil = now + data.graceMs;
        reportedBusy = false;
        return;
      }
      if (state === 1) return; // SyncScript: breakOnSigint handles it
      const busyMs = now - f64[4];
      if (now < quietUntil || busyMs < data.graceMs) return;
      if (!reportedBusy) {
        reportedBusy = true;
        send({ kind: 'busy', what: i32[3] > 0 ? 'tfjs' : 'js', busyMs: Math.round(busyMs) });
      }
    }, 50);
  }
}
