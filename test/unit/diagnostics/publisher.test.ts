/**
 * The one throttle of health updates: at most one snapshot per interval while training, a held-back
 * one published when training pauses, the final one at once; the file written off the training loop
 * and the final write awaited.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Publisher } from '../../../src/diagnostics/publisher';
import type { HealthSnapshot } from '../../../src/protocol/health';

function setup(intervalMs: number, file?: string) {
  let step = 0;
  let built = 0;
  const seen: { step: number; at: number }[] = [];
  const charged: number[] = [];
  const p = new Publisher({
    intervalMs, file, clock: () => performance.now(),
    onSnapshot: (s) => seen.push({ step: s.progress.step, at: performance.now() }),
    build: () => {
      built++;
      const snapshot = { progress: { step } } as unknown as HealthSnapshot;
      return { snapshot, json: JSON.stringify({ step }) };
    },
    charge: (ms) => charged.push(ms),
  });
  return { p, seen, charged, next: () => ++step, built: () => built };
}

test('steps every 2 ms for 1 s: about one snapshot per interval, each built only when published, the last at once', async () => {
  const { p, seen, next, built } = setup(250);
  const t0 = performance.now();
  let steps = 0;
  while (performance.now() - t0 < 1000) {
    next();
    steps++;
    p.step();
    await sleep(2);
  }
  const last = next();
  await p.final();
  assert.ok(steps > 100, `${steps} steps`);
  assert.ok(seen.length >= 4 && seen.length <= 7, `${seen.length} snapshots`);
  assert.equal(built(), seen.length, 'no snapshot built that was not published');
  for (let i = 1; i < seen.length - 1; i++) assert.ok(seen[i].at - seen[i - 1].at >= 249, `${seen[i].at - seen[i - 1].at} ms apart`);
  assert.equal(seen.at(-1)!.step, last);
});

test('a snapshot held back by the throttle is published when training pauses, and charged to the monitor', async () => {
  const { p, seen, charged, next } = setup(100);
  next(); p.step();
  next(); p.step();
  assert.deepEqual(seen.map((s) => s.step), [1], 'the first at once, the second held back');
  await sleep(200);
  assert.deepEqual(seen.map((s) => s.step), [1, 2]);
  assert.equal(charged.length, 1);
  await sleep(150);
  assert.equal(seen.length, 2, 'nothing new, nothing published');
  await p.final();
});

test('the file is written asynchronously and the final write is awaited', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'gs-pub-')), 'health.json');
  const { p, next } = setup(1e9, file);
  next(); p.step();
  next(); next();
  await p.final();
  assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), { step: 3 });
});
