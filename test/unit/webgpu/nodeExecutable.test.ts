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
import { nodeExecutable, type HostRuntime } from '../../../src/notebook/nodeExecutable';

const v20 = () => 'v20.11.1';

function fakeNodeDir(): { dir: string; node: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-node-'));
  const node = path.join(dir, 'node');
  fs.writeFileSync(node, '#!/bin/sh\n');
  fs.chmodSync(node, 0o755);
  return { dir, node };
}

test('auto keeps the host runtime, except webgpu under Electron, which takes node from PATH', () => {
  const { dir, node } = fakeNodeDir();
  assert.deepEqual(nodeExecutable('auto', 'wasm', { electron: true, path: dir, versionOf: v20 }), { execPath: undefined });
  assert.deepEqual(nodeExecutable('auto', 'auto', { electron: true, path: dir, versionOf: v20 }), { execPath: undefined });
  assert.deepEqual(nodeExecutable('auto', 'webgpu', { electron: false, path: dir, versionOf: v20 }), { execPath: undefined }, 'already a real node');
  assert.deepEqual(nodeExecutable('auto', 'webgpu', { electron: true, path: `/nonexistent${path.delimiter}${dir}`, versionOf: v20 }), { execPath: node });
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
  assert.deepEqual(nodeExecutable(node, 'wasm', { electron: true, path: '', versionOf: v20 }), { execPath: node });
  assert.deepEqual(nodeExecutable('node', 'cpu', { electron: false, path: dir, versionOf: v20 }), { execPath: node });
  const missing = nodeExecutable('/no/such/node', 'webgpu', { electron: true, path: dir, versionOf: v20 });
  assert.ok('error' in missing);
  assert.match(missing.error, /gradscope\.kernel\.node is "\/no\/such\/node", which is not an executable file/);
  const notOnPath = nodeExecutable('node22', 'webgpu', { electron: true, path: dir, versionOf: v20 });
  assert.ok('error' in notOnPath && /was not found on PATH/.test(notOnPath.error));
  const plain = path.join(dir, 'plain');
  fs.writeFileSync(plain, '');
  assert.ok('error' in nodeExecutable(plain, 'wasm', { electron: true, path: '', versionOf: v20 }), 'a file that is not executable is refused');
});

test('a node that is too old or does not run is refused, saying which and what is needed', () => {
  const { dir, node } = fakeNodeDir();
  const host = (version: string | undefined): HostRuntime => ({ electron: true, path: dir, versionOf: () => version });
  const old = nodeExecutable('auto', 'webgpu', host('v18.19.0'));
  assert.ok('error' in old);
  assert.equal(old.error, `the \`node\` on PATH, ${node}, is Node.js v18.19.0; the kernel needs Node.js 20 or later. Set gradscope.kernel.node to the path of Node.js 20 or later.`);
  const broken = nodeExecutable(node, 'wasm', host(undefined));
  assert.ok('error' in broken && broken.error.includes('does not run as Node.js'));
  assert.deepEqual(nodeExecutable(node, 'wasm', host('v22.3.0')), { execPath: node });
});

test('the real node on this machine passes the check', () => {
  assert.deepEqual(nodeExecutable(process.execPath, 'webgpu', { electron: true, path: '' }), { execPath: process.execPath });
});
