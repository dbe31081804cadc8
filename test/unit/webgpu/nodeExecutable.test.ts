/**
 * Which executable runs the kernel (src/notebook/nodeExecutable.ts): VS Code's own runtime unless
 * the backend is webgpu under Electron (then `node` from PATH), an explicit setting always, and a
 * message naming the setting when nothing usable is found.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { nodeExecutable } from '../../../src/notebook/nodeExecutable';

function fakeNodeDir(): { dir: string; node: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-node-'));
  const node = path.join(dir, 'node');
  fs.writeFileSync(node, '#!/bin/sh\n');
  fs.chmodSync(node, 0o755);
  return { dir, node };
}

test('auto keeps the host runtime, except webgpu under Electron, which takes node from PATH', () => {
  const { dir, node } = fakeNodeDir();
  assert.deepEqual(nodeExecutable('auto', 'wasm', { electron: true, path: dir }), { execPath: undefined });
  assert.deepEqual(nodeExecutable('auto', 'auto', { electron: true, path: dir }), { execPath: undefined });
  assert.deepEqual(nodeExecutable('auto', 'webgpu', { electron: false, path: dir }), { execPath: undefined }, 'already a real node');
  assert.deepEqual(nodeExecutable('auto', 'webgpu', { electron: true, path: `/nonexistent${path.delimiter}${dir}` }), { execPath: node });
});

test('webgpu under Electron with no node on PATH stops the start and says what to do', () => {
  const r = nodeExecutable('auto', 'webgpu', { electron: true, path: fs.mkdtempSync(path.join(os.tmpdir(), 'gs-empty-')) });
  assert.ok('error' in r);
  assert.match(r.error, /needs a real Node\.js/);
  assert.match(r.error, /no `node` was found on PATH/);
  assert.match(r.error, /gradscope\.kernel\.node/);
});

test('an explicit executable is used for every backend; one that does not exist is refused by name', () => {
  const { dir, node } = fakeNodeDir();
  assert.deepEqual(nodeExecutable(node, 'wasm', { electron: true, path: '' }), { execPath: node });
  assert.deepEqual(nodeExecutable('node', 'cpu', { electron: false, path: dir }), { execPath: node });
  const missing = nodeExecutable('/no/such/node', 'webgpu', { electron: true, path: dir });
  assert.ok('error' in missing);
  assert.match(missing.error, /gradscope\.kernel\.node is "\/no\/such\/node", which is not an executable file/);
  const notOnPath = nodeExecutable('node22', 'webgpu', { electron: true, path: dir });
  assert.ok('error' in notOnPath && /was not found on PATH/.test(notOnPath.error));
  const plain = path.join(dir, 'plain');
  fs.writeFileSync(plain, '');
  assert.ok('error' in nodeExecutable(plain, 'wasm', { electron: true, path: '' }), 'a file that is not executable is refused');
});
