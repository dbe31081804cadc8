// How a new user starts: "New Gradscope Notebook" gives a notebook whose imports cell runs, and
// `npm start` opens a scratch copy of the samples, never the tracked files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseNotebook, serializeNotebook } from '../../../src/notebook/nbformat';
import { STARTER_IMPORTS, starterNotebook } from '../../../src/notebook/starter';
import { root, requireBuild } from '../kernel/kernelHarness';

test('the new notebook has the Gradscope kernelspec and an imports cell that runs headless', () => {
  const nb = starterNotebook();
  const text = serializeNotebook(nb);
  const back = parseNotebook(text);
  assert.deepEqual(back.metadata.kernelspec, { name: 'gradscope', display_name: 'Gradscope (TypeScript)', language: 'typescript' });
  assert.deepEqual(back.cells.map((c) => [c.kind, c.language, c.source]), [['code', 'typescript', STARTER_IMPORTS], ['code', 'typescript', '']]);
  assert.notEqual(starterNotebook().cells, nb.cells, 'each call makes a new notebook');

  requireBuild();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gradscope-new-'));
  try {
    const file = path.join(dir, 'Untitled.tfnb');
    // The imports cell, then the first thing a user writes: both names are usable.
    const model = starterNotebook();
    model.cells[1].source = "console.log(typeof tf.sequential, typeof gs.fit);";
    fs.writeFileSync(file, serializeNotebook(model));
    const r = spawnSync(process.execPath, [path.join(root, 'dist', 'cli.js'), 'run', file, '--backend', 'cpu'], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /function function/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the command is in the palette and in File > New File…', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const cmd = pkg.contributes.commands.find((c: { command: string }) => c.command === 'gradscope.newNotebook');
  assert.equal(cmd?.title, 'New Gradscope Notebook');
  assert.ok(pkg.contributes.menus['file/newFile'].some((m: { command: string }) => m.command === 'gradscope.newNotebook'));
  const ext = fs.readFileSync(path.join(root, 'src', 'extension.ts'), 'utf8');
  assert.match(ext, /registerCommand\('gradscope\.newNotebook'/);
});

test('npm start opens a fresh scratch copy of the samples: writing there leaves samples/ as it is', async () => {
  const { scratchSamples } = await import(path.join(root, '.build', 'scratchSamples.mjs'));
  const samples = path.join(root, 'samples');
  const names = fs.readdirSync(samples).filter((f) => f.endsWith('.tfnb')).sort();
  const before = names.map((f) => fs.readFileSync(path.join(samples, f), 'utf8'));
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'gradscope-start-'));
  try {
    const a: string = scratchSamples(samples, parent);
    const b: string = scratchSamples(samples, parent);
    assert.notEqual(a, b, 'a new folder each start');
    assert.ok(path.relative(root, a).startsWith('..'), 'outside the repository');
    assert.deepEqual(fs.readdirSync(a).sort(), names);
    names.forEach((f, i) => assert.equal(fs.readFileSync(path.join(a, f), 'utf8'), before[i]));
    // What autosave would do: outputs and edits in the opened folder.
    fs.writeFileSync(path.join(a, names[0]), '{"edited": true}');
    names.forEach((f, i) => assert.equal(fs.readFileSync(path.join(samples, f), 'utf8'), before[i], `${f} untouched`));
    const start = fs.readFileSync(path.join(root, '.build', 'start.mjs'), 'utf8');
    assert.match(start, /const samples = scratchSamples\(join\(root, 'samples'\)\)/, 'start.mjs opens the copy');
    assert.throws(() => scratchSamples(parent, parent), /no \.tfnb samples/);
  } finally {
    fs.rmSync(parent, { recursive: true, force: true });
  }
});
