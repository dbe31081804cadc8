// The language worker as the editor drives it (dist/languageWorker.js through LanguageClient): a
// sync sends only the cells that changed, requests name a cell by id, a closed notebook is refused,
// and a worker that died is replaced on the next request. Needs the build.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LanguageClient } from '../../../src/language/client';
import { root } from '../kernel/kernelHarness';

const workerPath = path.join(root, 'dist', 'languageWorker.js');

test('language worker: syncs by changed cells, answers per cell, refuses a closed notebook, restarts after a crash', { timeout: 300_000 }, async () => {
  assert.ok(fs.existsSync(workerPath), 'dist/languageWorker.js is missing: run `node .build/build.mjs`');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gradscope-worker-'));
  const client = new LanguageClient(workerPath);
  let restarts = 0;
  client.onRestart = () => restarts++;
  const nb = { notebook: 'file:///w.tfnb', dir, name: 'w.tfnb' };
  try {
    await client.request('sync', { ...nb, cells: [
      { id: 'a', text: "import * as gs from 'gradscope';\nconst lr = 0.1;" },
      { id: 'b', text: 'const s: string = lr;' },
    ] });
    assert.deepEqual((await client.request('diagnostics', { notebook: nb.notebook, cell: 'b' })).map((d) => d.code), [2322]);
    // Only cell a's text is sent; cell b keeps the text the worker has.
    await client.request('sync', { ...nb, cells: [{ id: 'a', text: "import * as gs from 'gradscope';\nconst lr = 'fast';" }, { id: 'b' }] });
    assert.deepEqual(await client.request('diagnostics', { notebook: nb.notebook, cell: 'b' }), []);
    const list = await client.request('completions', { notebook: nb.notebook, cell: 'b', offset: 'const s: string = l'.length });
    assert.ok(list.items.some((i) => i.name === 'lr'));
    await assert.rejects(client.request('sync', { ...nb, cells: [{ id: 'c' }] }), /cell c has no text yet/);
    await client.request('close', { notebook: nb.notebook });
    await assert.rejects(client.request('hover', { notebook: nb.notebook, cell: 'a', offset: 0 }), /not open in the language worker/);
    // A crash fails what is pending; the next request starts a new worker and asks for a re-sync.
    const worker = (client as unknown as { worker: { terminate(): Promise<number> } }).worker;
    await worker.terminate();
    await client.request('sync', { ...nb, cells: [{ id: 'a', text: 'const again = 1;' }] });
    assert.equal(restarts, 1);
    assert.deepEqual(await client.request('diagnostics', { notebook: nb.notebook, cell: 'a' }), []);
  } finally {
    client.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('language worker: writes its code cache after the first answer, loads it in the next worker, survives a corrupt one', { timeout: 300_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gradscope-worker-cache-'));
  const cacheDir = path.join(dir, 'cache');
  const nb = { notebook: 'file:///c.tfnb', dir, name: 'c.tfnb' };
  const cacheFiles = () => (fs.existsSync(cacheDir) ? fs.readdirSync(cacheDir).filter((f) => f.endsWith('.v8cache')) : []);
  const typeErrors = async (client: LanguageClient) => {
    await client.request('sync', { ...nb, cells: [{ id: 'a', text: "import * as gs from 'gradscope';" }, { id: 'b', text: 'const s: string = 5;' }, { id: 'c', text: 'gs.' }] });
    const codes = (await client.request('diagnostics', { notebook: nb.notebook, cell: 'b' })).map((d) => d.code);
    const items = (await client.request('completions', { notebook: nb.notebook, cell: 'c', offset: 3, trigger: '.' })).items;
    return { codes, fit: items.some((i) => i.name === 'fit') };
  };
  const waitForCache = async () => {
    for (let i = 0; i < 400 && cacheFiles().length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    return cacheFiles();
  };
  try {
    const first = new LanguageClient(workerPath, undefined, cacheDir);
    assert.deepEqual(await typeErrors(first), { codes: [2322], fit: true });
    const written = await waitForCache();
    first.dispose();
    assert.equal(written.length, 1, 'one cache file for this build and runtime');
    assert.match(written[0], new RegExp(`^languageServer-\\d+-\\d+-${process.version.replace(/\./g, '\\.')}-${process.arch}\\.v8cache$`));
    const size = fs.statSync(path.join(cacheDir, written[0])).size;
    assert.ok(size > 100_000, `the cache holds the compiled compiler (${size} bytes)`);
    // A worker that loads the cache answers the same; it does not rewrite an accepted cache.
    const before = fs.statSync(path.join(cacheDir, written[0])).mtimeMs;
    const second = new LanguageClient(workerPath, undefined, cacheDir);
    assert.deepEqual(await typeErrors(second), { codes: [2322], fit: true });
    await new Promise((r) => setTimeout(r, 500));
    second.dispose();
    assert.equal(fs.statSync(path.join(cacheDir, written[0])).mtimeMs, before);
    // A corrupt cache is rejected by V8: the worker still answers and writes a good one.
    fs.writeFileSync(path.join(cacheDir, written[0]), Buffer.alloc(size, 7));
    const third = new LanguageClient(workerPath, undefined, cacheDir);
    assert.deepEqual(await typeErrors(third), { codes: [2322], fit: true });
    for (let i = 0; i < 400 && fs.readFileSync(path.join(cacheDir, written[0]))[0] === 7; i++) await new Promise((r) => setTimeout(r, 50));
    third.dispose();
    assert.notEqual(fs.readFileSync(path.join(cacheDir, written[0]))[0], 7, 'the corrupt cache was replaced');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
