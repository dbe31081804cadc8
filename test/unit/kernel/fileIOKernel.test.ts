/**
 * In the kernel, `file://` works without tfjs-node, and a relative path starts from the notebook's
 * folder (the kernel's workspaceDir) even when a cell changed the working directory; cells that
 * import the gradscope library get the same routers, not a second set.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TestKernel } from './kernelHarness';

const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-kernel-fileio-'));
const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-kernel-elsewhere-'));
const kernel = new TestKernel({ workspaceDir: folder });
after(() => {
  kernel.dispose();
  for (const d of [folder, elsewhere]) fs.rmSync(d, { recursive: true, force: true });
});

test('a cell saves and loads file://./… in the notebook\'s folder, with the gradscope library imported', async () => {
  const r = await kernel.run(`
import * as tf from '@tensorflow/tfjs';
import * as gs from 'gradscope';
process.chdir(${JSON.stringify(elsewhere)});
const m = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] })] });
await m.save('file://./saved/m');
const back = await tf.loadLayersModel('file://./saved/m/model.json');
const same = (back.predict(tf.ones([1, 3])) as tf.Tensor).equal(m.predict(tf.ones([1, 3])) as tf.Tensor).all().dataSync()[0];
console.log('handlers', tf.io.getLoadHandlers('file://./saved/m/model.json').length, 'same', same);
`);
  assert.equal(r.status, 'ok', r.errorText);
  assert.match(r.text, /handlers 1 same 1/);
  assert.deepEqual(fs.readdirSync(path.join(folder, 'saved', 'm')).sort(), ['model.json', 'weights.bin']);
  assert.equal(fs.existsSync(path.join(elsewhere, 'saved')), false, 'not in the changed working directory');
});
