/**
 * Looks at the WebGPU adapter from a short-lived child process, for `auto`: a broken GPU driver can
 * crash the process that asks it for an adapter, and `auto` must not take the kernel down on a
 * machine where the user never asked for WebGPU. The child loads Dawn, asks for an adapter (core
 * feature level, then compatibility) and prints its info; a crash, a hang or no adapter is a reason
 * to skip webgpu, and a software adapter is found here without loading Dawn into the kernel.
 *
 * @example
 * const r = probeAdapter('/ws/node_modules/webgpu/index.js', []);
 * // { info: { vendor: 'nvidia', architecture: 'hopper', device: '', description: 'NVIDIA H200', isFallbackAdapter: false } }
 */
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import type { AdapterInfo } from './types';

const PROBE = `
const [url, options] = JSON.parse(process.argv[1]);
if (options.some((o) => /^backend=(opengles|gles)$/i.test(o)) && !process.env.EGL_PLATFORM) process.env.EGL_PLATFORM = 'surfaceless';
import(url).then(async ({ create }) => {
  const gpu = create(options);
  for (const featureLevel of ['core', 'compatibility']) {
    const a = await gpu.requestAdapter({ powerPreference: 'high-performance', featureLevel });
    if (!a) continue;
    const i = a.info;
    const info = { vendor: i.vendor, architecture: i.architecture, device: i.device, description: i.description, isFallbackAdapter: i.isFallbackAdapter === true || a.isFallbackAdapter === true };
    process.stdout.write('\\n@@' + JSON.stringify({ info }) + '\\n');
    process.exit(0);
  }
  process.stdout.write('\\n@@' + JSON.stringify({ none: true }) + '\\n');
  process.exit(0);
});
`;

/** What the probe saw: an adapter's info, none, or why it could not tell. */
export type ProbeResult = { info: AdapterInfo } | { none: true } | { failed: string };

/** Probes in a child `node` (this process's executable); see the file comment. */
export function probeAdapter(dawnIndex: string, options: string[], timeoutMs = 30_000): ProbeResult {
  const r = spawnSync(process.execPath, ['-e', PROBE, JSON.stringify([pathToFileURL(dawnIndex).href, options])], {
    encoding: 'utf8', timeout: timeoutMs, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const line = (r.stdout ?? '').split('\n').find((l) => l.startsWith('@@'));
  if (line) return JSON.parse(line.slice(2)) as ProbeResult;
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT') return { failed: `asking Dawn for an adapter took more than ${timeoutMs / 1000} s` };
  if (r.signal) return { failed: `asking Dawn for an adapter crashed the probe process (${r.signal})` };
  const why = (r.stderr ?? '').trim().split('\n').filter(Boolean).pop();
  return { failed: `asking Dawn for an adapter failed (exit ${r.status}${why ? `: ${why}` : ''})` };
}
