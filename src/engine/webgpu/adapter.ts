/**
 * What an adapter is, in words for the kernel banner and picker, and whether it is a real GPU.
 *
 * Contract: `auto` uses WebGPU only on a hardware adapter. A software rasterizer (Mesa's llvmpipe,
 * lavapipe or softpipe, SwiftShader, Microsoft's WARP) or Dawn's null backend, which computes
 * nothing, counts as software even where Dawn reports `isFallbackAdapter: false` (Dawn sets that
 * flag for none of them on Linux).
 *
 * @example
 * describeAdapter({ vendor: 'nvidia', architecture: 'hopper', device: '', description: 'NVIDIA H200' })
 * // { text: 'NVIDIA H200 (nvidia, hopper)', software: false }
 */
import type { AdapterInfo } from './types';

const SOFTWARE = /llvmpipe|lavapipe|softpipe|swiftshader|null-backend|microsoft basic render|\bwarp\b|software/i;

/** The adapter in words, and whether it renders in software. */
export interface AdapterDescription {
  /** e.g. `NVIDIA H200 (nvidia, hopper)`. */
  text: string;
  software: boolean;
  vendor: string;
  architecture: string;
  description: string;
}

/** Describes `info` (a `GPUAdapterInfo`); `fallback` is the adapter's own isFallbackAdapter. */
export function describeAdapter(info: AdapterInfo, fallback = false): AdapterDescription {
  const vendor = info.vendor ?? '';
  const architecture = info.architecture ?? '';
  const description = info.description ?? '';
  const device = info.device ?? '';
  const software = fallback || info.isFallbackAdapter === true || SOFTWARE.test([vendor, architecture, device, description].join(' '));
  const name = [description, device].find((s) => s.trim() !== '') ?? 'unnamed adapter';
  const detail = [vendor, architecture].filter((s) => s.trim() !== '');
  const withDevice = device && description && !description.includes(device) ? `${name}, ${device}` : name;
  const text = `${withDevice}${detail.length ? ` (${detail.join(', ')})` : ''}`;
  return { text, software, vendor, architecture, description: description || device };
}
