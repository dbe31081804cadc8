/**
 * Writes `fixtures/small-mlp/` (model.json + weights.bin) through the file:// save router:
 *
 * ```sh
 * node --import tsx test/unit/engine/fileIO/makeFixture.ts
 * ```
 */
import * as tf from '@tensorflow/tfjs';
import { registerFileRouters } from '../../../../src/engine/fileIO';
import { buildSmallModel, fixtureDir } from './smallModel';

(async () => {
  await tf.setBackend('cpu');
  registerFileRouters(tf);
  await buildSmallModel().save(`file://${fixtureDir}`);
  console.log(`wrote ${fixtureDir}`);
})();
