/**
 * Console output floods: the collector alone (coalescing, the bounded head and tail, the spill file),
 * then a real kernel printing a million lines (few messages, a bounded cell, the full text on disk, the
 * next cell at once).
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { StreamCollector } from '../../../src/kernel/streams';
import { TestKernel } from './kernelHarness';

function collector(args: ConstructorParameters<typeof StreamCollector>[2] = {}) {
  const streams: { name: string; text: string }[] = [];
  const tails: string[] = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-streams-'));
  const c = new StreamCollector({
    stream: (name, text) => streams.push({ name, text }),
    tail: (text, done) => { tails.push(text); setImmediate(done); },
  }, 'Cell 1', { dir, ...args });
  return { c, streams, tails, dir };
}

describe('StreamCollector', () => {
  test('writes within the period become one message per stream run, in order', async () => {
    const { c, streams } = collector();
    for (let i = 0; i < 100; i++) c.write('stdout', `${i}\n`);
    c.write('stderr', 'warn\n');
    c.write('stdout', 'after\n');
    assert.equal(streams.length, 0, 'nothing is sent before the period ends');
    await sleep(80);
    assert.deepEqual(streams.map((s) => s.name), ['stdout', 'stderr', 'stdout']);
    assert.equal(streams[0].text.split('\n').length - 1, 100);
    c.close();
  });

  test('past the head, a tail that says how many lines were hidden and where the full text is', async () => {
    const { c, streams, tails } = collector({ headLines: 10, tailLines: 5 });
    for (let i = 0; i < 1000; i++) c.write('stdout', `line ${i}\n`);
    c.close();
    const head = streams.map((s) => s.text).join('');
    assert.equal(head, Array.from({ length: 9 }, (_, i) => `line ${i}\n`).join(''));
    const last = tails[tails.length - 1];
    const [header, ...rest] = last.split('\n');
    assert.deepEqual(rest, ['line 995', 'line 996', 'line 997', 'line 998', 'line 999', '']);
    // 9 head lines + 986 hidden + 5 tail lines = 1000
    assert.match(header, /^… 986 more lines hidden; the full output is in (.+\.txt)$/);
    const file = header.match(/in (.+\.txt)$/)![1];
    assert.equal(fs.readFileSync(file, 'utf8'), Array.from({ length: 1000 }, (_, i) => `line ${i}\n`).join(''));
  });

  test('one huge line is cut to the tail budget, not sent whole', async () => {
    const { c, streams, tails } = collector({ headBytes: 1000, tailBytes: 2000 });
    c.write('stdout', 'x'.repeat(20_000_000));
    c.close();
    assert.equal(streams.length, 0);
    assert.ok(tails.at(-1)!.length < 2200, `tail of ${tails.at(-1)!.length} chars`);
  });

  test('no new tail is sent while the previous one is in flight (back-pressure)', async () => {
    const tails: string[] = [];
    let release: (() => void) | undefined;
    const c = new StreamCollector({ stream: () => undefined, tail: (t, done) => { tails.push(t); release = done; } }, 'Cell 2', { headLines: 1, flushMs: 5, dir: fs.mkdtempSync(path.join(os.tmpdir(), 'gs-streams-')) });
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 1000; i++) c.write('stdout', `r${round} ${i}\n`);
      await sleep(20);
    }
    assert.equal(tails.length, 1, 'one tail in flight, the rest waits');
    release!();
    await sleep(20);
    assert.equal(tails.length, 2);
    assert.match(tails[1], /r4 999\n$/, 'the next tail is the newest state');
    c.close();
  });
});

describe('a kernel printing a million lines', () => {
  const k = new TestKernel({ backend: 'cpu' });
  after(() => k.dispose());

  test('few messages, a bounded cell with the hidden count and the file, the next cell at once', async () => {
    await k.run('1');
    let messages = 0;
    const t0 = Date.now();
    const r = await k.run("for (let i = 0; i < 1e6; i++) console.log('line', i);", () => messages++);
    const ms = Date.now() - t0;
    assert.equal(r.status, 'ok', r.errorText);
    const t1 = Date.now();
    const next = await k.run('2 + 2');
    const nextMs = Date.now() - t1;
    assert.equal(next.value, '4');
    const shown = r.outputs.map((o) => (o.output_type === 'stream' ? o.text : o.output_type === 'display_data' ? String(o.data['text/plain']) : '')).join('');
    assert.ok(shown.split('\n').length < 4000, `the cell shows ${shown.split('\n').length} lines`);
    const m = shown.match(/… ([\d,]+) more lines hidden; the full output is in (.+\.txt)\n/);
    assert.ok(m, shown.slice(0, 300));
    assert.match(shown, /line 999999\n$/);
    const file = fs.readFileSync(m[2], 'utf8');
    assert.equal(file.split('\n').length - 1, 1e6);
    assert.ok(messages < 200, `${messages} messages for 1e6 lines`);
    console.log(`# 1e6 lines in ${ms} ms (${Math.round(1e6 / (ms / 1000))} lines/s), ${messages} messages, next cell after ${nextMs} ms`);
  });
});
