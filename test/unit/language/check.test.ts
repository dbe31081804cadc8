// `gradscope check`: every sample type-checks clean (the command prints nothing and exits 0), and a
// seeded error is printed with its file, cell, line and column and exits 1. Needs the build (dist/cli.js, dist/types).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { emptyNotebook, serializeNotebook, type NotebookCell } from '../../../src/notebook/nbformat';
import { root, requireBuild } from '../kernel/kernelHarness';

const cli = path.join(root, 'dist', 'cli.js');
const samples = fs.readdirSync(path.join(root, 'samples')).filter((f) => f.endsWith('.tfnb')).map((f) => path.join('samples', f));

function check(args: string[], cwd = root) {
  requireBuild();
  return spawnSync(process.execPath, [cli, 'check', ...args], { cwd, encoding: 'utf8', timeout: 300_000 });
}

function code(source: string): NotebookCell {
  return { kind: 'code', source, language: 'typescript', executionCount: null, outputs: [], metadata: {} };
}

test('gradscope check: every sample has zero errors (nothing printed, exit 0)', () => {
  assert.ok(samples.length >= 8, samples.join(', '));
  const r = check(samples);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, '');
  assert.equal(r.status, 0);
});

test('gradscope check: a seeded error is printed with its cell, line and column, and exits 1', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gradscope-check-'));
  try {
    const nb = emptyNotebook();
    nb.cells = [
      code("import * as tf from '@tensorflow/tfjs';\nimport * as gs from 'gradscope';"),
      { kind: 'markdown', source: '# Training', language: 'markdown', outputs: [], metadata: {} },
      code("const model = tf.sequential();\n// the next line is wrong\nconst epochs: number = 'ten';"),
      code('await gs.fit(model, tf.zeros([1, 1]), tf.zeros([1, 1]), { epochs });\nmodel.fitt();'),
    ];
    fs.writeFileSync(path.join(dir, 'bad.tfnb'), serializeNotebook(nb));
    const r = check(['bad.tfnb'], dir);
    assert.equal(r.status, 1, r.stderr);
    assert.deepEqual(r.stdout.trimEnd().split('\n'), [
      "bad.tfnb: Cell 3, line 3, column 7: Type 'string' is not assignable to type 'number'. (TS2322)",
      "bad.tfnb: Cell 4, line 2, column 7: Property 'fitt' does not exist on type 'Sequential'. Did you mean 'fit'? (TS2551)",
    ]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('gradscope check: an unreadable notebook, a notebook without TypeScript cells and bad usage exit 2 with a message', () => {
  const missing = check(['no-such.tfnb']);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /no-such\.tfnb/);
  const usage = check([]);
  assert.equal(usage.status, 2);
  assert.match(usage.stderr, /usage: gradscope check NOTEBOOK/);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gradscope-check-'));
  try {
    const nb = emptyNotebook();
    nb.cells = [{ ...code('print(1)'), language: 'python' }];
    fs.writeFileSync(path.join(dir, 'py.ipynb'), serializeNotebook(nb));
    const python = check(['py.ipynb'], dir);
    assert.equal(python.status, 2);
    assert.match(python.stderr, /py\.ipynb: no TypeScript cells to check \(its code cells are python\)/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const option = check(['--strict', samples[0]]);
  assert.equal(option.status, 2);
  assert.match(option.stderr, /unknown option --strict/);
});
