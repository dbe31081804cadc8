/**
 * Synchronous reads (`dataSync()`, `arraySync()`, `print()`, `bufferSync()`) on the webgpu backend.
 *
 * tfjs-backend-webgpu 4.22.0 reads synchronously through a browser's OffscreenCanvas, which Node
 * lacks. This reads the way its asynchronous `read` does (copy to a staging buffer, map it), and
 * waits for the map by running Dawn's event pump in place (dawn.ts) instead of returning to the
 * event loop; between pumps it sleeps in short slices so the CPU is free for the GPU's driver.
 * Where no pump is available the read throws, saying which call and what to write instead.
 */
import type { GpuBuffer, Tf, WebGpuBackend } from './types';

const MAP_READ = 0x0001;
const COPY_DST = 0x0008;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** The call that asked, from the stack: dataSync, arraySync, print, … (`dataSync` when unknown). */
function askingCall(): { call: string; instead: string } {
  const stack = new Error().stack ?? '';
  for (const [call, instead] of [
    ['print', 'console.log(await t.array())'], ['arraySync', 'await t.array()'], ['bufferSync', 'await t.buffer()'],
    ['toString', 'console.log(await t.array())'],
  ] as const) {
    if (new RegExp(`\\.${call} `).test(stack)) return { call: `${call}()`, instead };
  }
  return { call: 'dataSync()', instead: 'await t.data()' };
}

/** Thrown by a synchronous read when this process cannot wait for the GPU synchronously. */
export function syncReadUnavailable(why: string): Error {
  const { call, instead } = askingCall();
  return new Error(`${call} cannot read a tensor synchronously on the webgpu backend here (${why}). Write \`${instead}\` in an async context instead.`);
}

/** Waits for `buffer` to map, pumping Dawn's events; throws on failure or after `timeoutMs`. */
function waitMapped(buffer: GpuBuffer, pump: () => void, timeoutMs: number): void {
  const deadline = Date.now() + timeoutMs;
  for (let spins = 0; buffer.mapState !== 'mapped'; spins++) {
    if (buffer.mapState === 'unmapped') throw new Error('the GPU refused to map the read-back buffer (see the WebGPU error above)');
    pump();
    if ((buffer.mapState as GpuBuffer['mapState']) === 'mapped') return;
    if (spins > 200) Atomics.wait(sleeper, 0, 0, 0.2);
    if (Date.now() > deadline) throw new Error(`the GPU did not answer a synchronous read within ${timeoutMs / 1000} s`);
  }
}

/**
 * Replaces `backend.readSync` with one that works in Node (see the file comment). With `pump`
 * undefined it throws {@link syncReadUnavailable} for tensors still on the GPU.
 */
export function installSyncReads(tf: Tf, backend: WebGpuBackend, pump: (() => void) | undefined, timeoutMs = 600_000): void {
  const readSync = (dataId: object): unknown => {
    const data = backend.tensorMap.get(dataId);
    if (data.values != null || data.dtype === 'string') return data.values;
    if (data.dtype === 'complex64' && data.complexTensorInfos) {
      const re = readSync(data.complexTensorInfos.real.dataId) as Float32Array;
      const im = readSync(data.complexTensorInfos.imag.dataId) as Float32Array;
      return backend.convertAndCacheOnCPU(dataId, tf.backend_util.mergeRealAndImagArrays(re, im));
    }
    if (!pump) throw syncReadUnavailable("dawn.node's event pump was not found");
    const source = data.resource as GpuBuffer;
    const staging = backend.bufferManager.acquireBuffer(source.size, COPY_DST | MAP_READ);
    backend.ensureCommandEncoderReady();
    backend.endComputePassEncoder();
    backend.commandEncoder!.copyBufferToBuffer(source, 0, staging, 0, source.size);
    backend.submitQueue();
    const mapped = staging.mapAsync(MAP_READ);
    mapped.catch(() => undefined);
    try {
      waitMapped(staging, pump, timeoutMs);
    } catch (e) {
      backend.bufferManager.releaseBuffer(staging, false);
      throw e;
    }
    const bytes = staging.getMappedRange().slice(0);
    staging.unmap();
    backend.bufferManager.releaseBuffer(staging);
    const values = tf.util.convertBackendValuesAndArrayBuffer(bytes, data.dtype as 'float32');
    return backend.convertAndCacheOnCPU(dataId, values);
  };
  backend.readSync = readSync;
}
