/**
 * `gradscope run --inplace` changes only the outputs: it refuses a file that is not UTF-8 (file
 * untouched, exit 2, the bad byte named), keeps CRLF line ends, gives nbformat 4.5 cells without ids
 * an id once (a second run keeps them) and keeps metadata number spellings.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { root, requireBuild } from '../kernel/kernelHarness';

const cli = path.join(root, 'dist', 'cli.js');

function run(args: string[]) {
  requireBuild();
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, GRADSCOPE_VERBOSE: '' } });
}

/** nbformat 4.5, two code cells without ids, metadata with odd number spellings, CRLF line ends. */
const NOTEBOOK = [
  '{',
  ' "cells": [',
  '  {',
  '   "cell_type": "code",',
  '   "execution_count": null,',
  '   "metadata": {},',
  '   "outputs": [],',
  '   "source": [',
  '    "console.log(\'résumé ✓\')"',
  '   ]',
  '  },',
  '  {',
  '   "cell_type": "code",',
  '   "execution_count": null,',
  '   "metadata": {',
  '    "gradscope": {',
  '     "big": 1e400,',
  '     "lr": 1.50,',
  '     "zero": -0',
  '    }',
  '   },',
  '   "outputs": [],',
  '   "source": [',
  '    "6 * 7"',
  '   ]',
  '  }',
  ' ],',
  ' "metadata": {},',
  ' "nbformat": 4,',
  ' "nbformat_minor": 5',
  '}',
  '',
].join('\r\n');

test('gradscope run --inplace refuses invalid UTF-8: the file is untouched, the exit is non-zero, the byte is named', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gradscope-cli-'));
  const file = path.join(dir, 'latin1.tfnb');
  // "résumé" saved as Latin-1: é is the lone byte 0xe9.
  const bytes = Buffer.from(NOTEBOOK.replace('résumé ✓', 'r\u00e9sum\u00e9'), 'latin1');
  fs.writeFileSync(file, bytes);
  try {
    const r = run(['run', file, '--inplace', '--backend', 'cpu']);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /latin1\.tfnb: not UTF-8 text \(invalid byte 0xe9 at offset \d+, line 9\); the file was left as it is/);
    assert.ok(fs.readFileSync(file).equals(bytes), 'the file was changed');
    assert.deepEqual(fs.readdirSync(dir), ['latin1.tfnb']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('gradscope run --inplace keeps CRLF, assigns missing cell ids once, and keeps metadata spellings', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gradscope-cli-'));
  const file = path.join(dir, 'crlf.tfnb');
  fs.writeFileSync(file, NOTEBOOK);
  try {
    const r1 = run(['run', file, '--inplace', '--backend', 'cpu']);
    assert.equal(r1.status, 0, r1.stderr);
    const first = fs.readFileSync(file, 'utf8');
    assert.equal(first.replace(/\r\n/g, '').includes('\n'), false, 'a line ends in a bare LF');
    assert.match(first, /\r\n$/);
    assert.match(first, /"text": \[\r\n\s+"résumé ✓\\n"\r\n/);
    assert.match(first, /"text\/plain": (\[\r\n\s*)?"42"/);
    assert.match(first, /"big": 1e400,\r\n\s+"lr": 1\.50,\r\n\s+"zero": -0\r\n/);
    const ids = [...first.matchAll(/"id": "([0-9a-f]{8})"/g)].map((m) => m[1]);
    assert.equal(ids.length, 2, 'each cell got one id');

    const r2 = run(['run', file, '--inplace', '--backend', 'cpu']);
    assert.equal(r2.status, 0, r2.stderr);
    const second = fs.readFileSync(file, 'utf8');
    assert.deepEqual([...second.matchAll(/"id": "([0-9a-f]{8})"/g)].map((m) => m[1]), ids, 'a second run changed the ids');
    assert.equal(second, first, 'a second run of the same notebook changed the file');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
