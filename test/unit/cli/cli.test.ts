import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseNotebook } from '../../../src/notebook/nbformat';
import { root, requireBuild } from '../kernel/kernelHarness';

const cli = path.join(root, 'dist', 'cli.js');
const fixture = path.join(__dirname, 'fixtures', 'three-cells.tfnb');

function run(args: string[]) {
  requireBuild();
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, GRADSCOPE_VERBOSE: '' } });
}

test('gradscope run: state crosses cells and awaits, the failing cell is named with its line, outputs are written', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gradscope-cli-'));
  const out = path.join(dir, 'ran.tfnb');
  try {
    const r = run(['run', fixture, '--out', out, '--backend', 'cpu']);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, /units after await: 42/);
    assert.match(r.stdout, /Tensor float32 \[2\]\n\[21, 42\]/);
    assert.match(r.stderr, /Cell 4, line 2, column 7 failed: Error: no 21 here/);
    assert.doesNotMatch(r.stdout, /never runs/);
    const written = parseNotebook(fs.readFileSync(out, 'utf8'));
    const [, declare, use, fail, never] = written.cells;
    assert.equal(declare.executionCount, 1);
    assert.deepEqual(declare.outputs, []);
    assert.equal(use.executionCount, 2);
    assert.deepEqual(use.outputs.map((o) => o.output_type), ['stream', 'execute_result']);
    assert.equal(fail.outputs[0].output_type, 'error');
    assert.match(fail.outputs[0].output_type === 'error' ? fail.outputs[0].traceback.join('\n') : '', /at Cell 4, line 2, column 7/);
    assert.equal(never.executionCount, null);
    assert.equal(written.cells[0].source, parseNotebook(fs.readFileSync(fixture, 'utf8')).cells[0].source, 'markdown kept');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('gradscope run: a malformed notebook is refused with the place of the problem, and nothing is written', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gradscope-cli-'));
  const bad = path.join(dir, 'bad.tfnb');
  fs.writeFileSync(bad, fs.readFileSync(fixture, 'utf8').slice(0, 300));
  try {
    const r = run(['run', bad]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /bad\.tfnb/);
    assert.deepEqual(fs.readdirSync(dir), ['bad.tfnb']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('gradscope run: bad usage prints the usage', () => {
  const r = run(['run']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /usage: gradscope run NOTEBOOK/);
});
