/**
 * How an adapter is named in the kernel banner and whether `auto` counts it as a GPU
 * (src/engine/webgpu/adapter.ts), from the adapter infos Dawn reports on real and software drivers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeAdapter } from '../../../src/engine/webgpu/adapter';

test('hardware adapters are named by description, vendor and architecture, and count as GPUs', () => {
  const h200 = describeAdapter({ vendor: 'nvidia', architecture: 'hopper', device: '', description: 'NVIDIA H200' });
  assert.deepEqual([h200.text, h200.software], ['NVIDIA H200 (nvidia, hopper)', false]);
  const apple = describeAdapter({ vendor: 'apple', architecture: 'metal-3', device: '', description: 'Apple M2 Pro' });
  assert.deepEqual([apple.text, apple.software], ['Apple M2 Pro (apple, metal-3)', false]);
  const intel = describeAdapter({ vendor: 'intel', architecture: 'gen-12lp', device: '0x9a49', description: 'Intel(R) Xe Graphics' });
  assert.equal(intel.text, 'Intel(R) Xe Graphics, 0x9a49 (intel, gen-12lp)');
  assert.equal(intel.software, false);
});

test('software rasterizers and Dawn\'s null backend never count as GPUs, whatever isFallbackAdapter says', () => {
  const infos = [
    { vendor: 'mesa', architecture: 'software', device: 'llvmpipe-llvm-15-0-6-256-bits-', description: 'llvmpipe: Mesa 25.0.7 (LLVM 15.0.6)', isFallbackAdapter: true },
    { vendor: '', architecture: '', device: 'llvmpipe-llvm-15-0-6-256-bits-', description: 'OpenGL version OpenGL ES 3.2 Mesa 22.3.6', isFallbackAdapter: false },
    { vendor: 'google', architecture: '', device: '', description: 'SwiftShader Device (Subzero)' },
    { vendor: '', architecture: '', device: 'null-backend', description: '' },
    { vendor: 'microsoft', architecture: '', device: '', description: 'Microsoft Basic Render Driver' },
  ];
  for (const info of infos) assert.equal(describeAdapter(info).software, true, JSON.stringify(info));
  assert.equal(describeAdapter({ vendor: 'x', architecture: '', device: '', description: 'Some GPU' }, true).software, true, 'the adapter\'s own fallback flag');
  assert.equal(describeAdapter({ vendor: '', architecture: '', device: '', description: '' }).text, 'unnamed adapter');
});
