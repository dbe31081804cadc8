/**
 * http(s):// loading stays with tfjs's own handler: a model served over HTTP loads as before, and a
 * server that cannot be reached gives a message that names the URL, the cause and the way out.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { networkReason, registerFileRouters } from '../../../../src/engine/fileIO';
import { fixtureDir, forward, inputs } from './smallModel';

let server: http.Server;
let port: number;
before(async () => {
  await tf.setBackend('cpu');
  registerFileRouters(tf);
  server = http.createServer((req, res) => {
    const file = path.join(fixtureDir, path.basename(req.url ?? ''));
    if (!fs.existsSync(file)) { res.writeHead(404).end(); return; }
    res.writeHead(200).end(fs.readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
after(() => server.close());

test('a model served over http loads through tfjs\'s handler', async () => {
  const model = await tf.loadLayersModel(`http://127.0.0.1:${port}/model.json`);
  assert.deepEqual((model.predict(tf.tensor2d(inputs)) as tf.Tensor).arraySync(), inputs.map(forward));
});

test('an unreachable server: the URL, the cause and the file:// way out', async () => {
  const closed = http.createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const dead = (closed.address() as AddressInfo).port;
  await new Promise((r) => closed.close(r));
  await assert.rejects(tf.loadLayersModel(`http://127.0.0.1:${dead}/model.json`), (e: Error) => {
    assert.match(e.message, new RegExp(`^could not reach http://127\\.0\\.0\\.1:${dead}/model\\.json \\(connection refused, ECONNREFUSED\\): loading a model over http\\(s\\):// needs the network\\. Offline, load a copy from disk`));
    assert.match(e.message, /model\.save\('file:\/\/\.\/models\/name'\)/);
    return true;
  });
});

test('an HTTP error status is not a network failure: tfjs\'s own message stays', async () => {
  await assert.rejects(tf.loadLayersModel(`http://127.0.0.1:${port}/missing.json`), /Request to http:\/\/127\.0\.0\.1:\d+\/missing\.json failed with status code 404/);
});

test('networkReason reads Node\'s fetch failures and ignores other errors', () => {
  const fetchFailed = (cause: unknown) => Object.assign(new TypeError('fetch failed'), { cause });
  assert.equal(networkReason(fetchFailed(Object.assign(new Error('getaddrinfo ENOTFOUND x.invalid'), { code: 'ENOTFOUND' }))), 'host not found, ENOTFOUND');
  assert.equal(networkReason(fetchFailed(Object.assign(new Error(''), { code: 'EAI_AGAIN' }))), 'name lookup failed, EAI_AGAIN');
  assert.equal(networkReason(fetchFailed(new Error('bad port'))), 'no answer: bad port');
  assert.equal(networkReason(new Error('Request failed with status code 500')), undefined);
  assert.equal(networkReason(new TypeError('x is not a function')), undefined);
});
