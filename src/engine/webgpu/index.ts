/**
 * The WebGPU backend over Dawn's Node bindings: loads Dawn (dawn.ts; for `auto` only after a child
 * process found a hardware adapter, probe.ts), picks an adapter, makes the
 * device and tfjs-backend-webgpu's `WebGPUBackend` over it, and installs what Node needs and what
 * correctness needs: synchronous reads (syncRead.ts), the size and error guard (guard.ts) and the
 * corrected kernels (overrides.ts). `tf.setBackend('webgpu')`'s result is checked: a failed start
 * throws, and the caller falls back to the next backend.
 *
 * @example
 * const gpu = await startWebGpu(tf, { dawnIndex: '/ws/node_modules/webgpu/index.js',
 *   backendModule: require.resolve('@tensorflow/tfjs-backend-webgpu'), requireHardware: true });
 * gpu.adapter.text; // 'NVIDIA H200 (nvidia, hopper)'
 */
import { describeAdapter, type AdapterDescription } from './adapter';
import { dawnOptionsFromEnv, loadDawn } from './dawn';
import { GpuGuard } from './guard';
import { installWebGpuOverrides } from './overrides';
import type { DispatchUtil } from './programs';
import { installSyncReads } from './syncRead';
import { probeAdapter } from './probe';
import type { GpuAdapter, Tf, WebGpuBackend } from './types';

export { describeAdapter, type AdapterDescription } from './adapter';
export { formatBytes } from './guard';

/** Options for {@link startWebGpu}. */
export interface StartWebGpuArgs {
  /** The `webgpu` package's index.js. */
  dawnIndex: string;
  /** Path of `@tensorflow/tfjs-backend-webgpu`'s entry, resolved next to the engine's tfjs. */
  backendModule: string;
  /** Refuse a software adapter (llvmpipe, lavapipe, SwiftShader, …). Defaults to false. */
  requireHardware?: boolean;
  /** Options for Dawn's `create`. Defaults to `GRADSCOPE_DAWN_OPTIONS` (comma-separated). */
  dawnOptions?: string[];
  /** Called for each WebGPU validation error or device loss (the kernel shows it on the cell). */
  onError?: (e: Error) => void;
}

/** A started WebGPU backend. */
export interface StartedWebGpu {
  adapter: AdapterDescription;
  featureLevel: 'core' | 'compatibility';
  limits: { maxStorageBufferBindingSize: number; maxBufferSize: number };
  /** True when `dataSync()` and friends work (Dawn's pump passed its self-test). */
  syncReads: boolean;
  /** Kernels replaced by corrected ones. */
  overrides: string[];
  /** Dawn's create options used. */
  dawnOptions: string[];
}

const NO_ADAPTER_HINT = 'Dawn found no GPU driver (Vulkan, Metal or D3D12). On a machine without a GPU, ' +
  'GRADSCOPE_DAWN_OPTIONS=backend=opengles runs WebGPU on Mesa\'s OpenGL ES (software, slow), or point VK_DRIVER_FILES at a Vulkan driver.';

/** Starts the backend (see the file comment); throws with the reason when it cannot. */
export async function startWebGpu(tf: Tf, args: StartWebGpuArgs): Promise<StartedWebGpu> {
  const dawnOptions = args.dawnOptions ?? dawnOptionsFromEnv();
  if (process.versions.electron) {
    throw new Error(`Dawn's WebGPU bindings do not load in Electron's Node (${process.versions.electron}); the kernel must run on a real node (setting gradscope.kernel.node)`);
  }
  if (args.requireHardware) {
    // Out of process first: a driver that crashes must not take this process with it.
    const probe = probeAdapter(args.dawnIndex, dawnOptions);
    if ('failed' in probe) throw new Error(`${probe.failed}; skipped`);
    if ('none' in probe) throw new Error(`no WebGPU adapter${dawnOptions.length ? ` with Dawn options ${dawnOptions.join(',')}` : ''}: ${NO_ADAPTER_HINT}`);
    const seen = describeAdapter(probe.info, probe.info.isFallbackAdapter === true);
    if (seen.software) throw softwareOnly(seen);
  }
  const dawn = await loadDawn(args.dawnIndex, dawnOptions);
  const found = await dawn.requestAdapter();
  if (!found) throw new Error(`no WebGPU adapter${dawnOptions.length ? ` with Dawn options ${dawnOptions.join(',')}` : ''}: ${NO_ADAPTER_HINT}`);
  const { adapter, featureLevel } = found;
  const described = describeAdapter(adapter.info, adapter.isFallbackAdapter === true);
  if (args.requireHardware && described.software) throw softwareOnly(described);
  // The package registers its own 'webgpu' factory at import (navigator.gpu is set by now); ours
  // replaces it so that the device is the one made here, from the adapter chosen here.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a path found at run time, next to the engine's tfjs
  const mod = require(args.backendModule) as { WebGPUBackend: new (device: unknown, info: unknown) => WebGpuBackend; webgpu_util: DispatchUtil };
  const device = await requestDevice(adapter);
  const backend = new mod.WebGPUBackend(device, adapter.info);
  if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
  tf.registerBackend('webgpu', () => backend as never, 3);
  const ok = await tf.setBackend('webgpu');
  if (!ok || tf.getBackend() !== 'webgpu') throw new Error("tf.setBackend('webgpu') failed");
  const syncReads = dawn.pump !== undefined && pumpWorks(tf, backend, dawn.pump);
  installSyncReads(tf, backend, syncReads ? dawn.pump : undefined);
  new GpuGuard(tf, backend, args.onError).install();
  const overrides = installWebGpuOverrides(tf, mod.webgpu_util);
  return {
    adapter: described, featureLevel, dawnOptions, syncReads, overrides,
    limits: { maxStorageBufferBindingSize: device.limits.maxStorageBufferBindingSize, maxBufferSize: device.limits.maxBufferSize },
  };
}

function softwareOnly(adapter: AdapterDescription): Error {
  return new Error(`only a software adapter was found (${adapter.text}); \`auto\` uses WebGPU on a GPU only (set gradscope.backend to webgpu to use it anyway)`);
}

async function requestDevice(adapter: GpuAdapter) {
  // The limits tfjs-backend-webgpu's own factory asks for: the adapter's best.
  const l = adapter.limits;
  const requiredFeatures = ['timestamp-query'].filter((f) => adapter.features.has(f));
  return adapter.requestDevice({
    requiredFeatures,
    requiredLimits: {
      maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
      maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxBufferSize: l.maxBufferSize,
      maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX,
      maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
    },
  });
}

/** One synchronous read through the pump, with a short timeout: true when it gave the right values. */
function pumpWorks(tf: Tf, backend: WebGpuBackend, pump: () => void): boolean {
  const x = tf.tidy(() => tf.add(tf.range(0, 2048, 1, 'float32'), 1));
  try {
    const saved = backend.readSync;
    installSyncReads(tf, backend, pump, 5000);
    try {
      const v = x.dataSync();
      return v.length === 2048 && v[0] === 1 && v[2047] === 2048;
    } finally {
      backend.readSync = saved;
    }
  } catch {
    return false;
  } finally {
    x.dispose();
  }
}
