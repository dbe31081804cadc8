/**
 * Every `gradscope.*` setting in one table: its name, type, default and the check its value must
 * pass. The host reads the settings here and nowhere else; package.json's
 * `contributes.configuration` declares the same names, types and defaults (a unit test holds them
 * equal). All of them are kernel start-up options: a running kernel keeps the values it started
 * with, so a change asks for a restart (see settingsPrompt.ts). Pure: no `vscode` here.
 *
 * @example
 * const { settings, problems } = readSettings((name) => vscode.workspace.getConfiguration('gradscope', uri).get(name));
 * // settings.backend === 'auto', settings.nodeOptions === ['--max-old-space-size=8192']
 */
import { KERNEL_BACKENDS, type KernelOptions } from '../protocol/kernelMessages';

/** The settings as the host uses them. */
export interface GradscopeSettings {
  backend: KernelOptions['backend'];
  wasmOverrides: boolean;
  sampleEvery: number;
  vanishingFactor: number;
  deadReluFraction: number;
  saturationFraction: number;
  /** `gradscope.kernel.nodeOptions` split into arguments. */
  nodeOptions: string[];
  /** `gradscope.kernel.node`: `auto` or a node executable (nodeExecutable.ts). */
  node: string;
}

/** One setting: where it lives under `gradscope.`, its default and what a valid value is. */
export interface SettingSpec {
  /** Name under `gradscope.`, e.g. `diagnostics.sampleEvery`. */
  name: string;
  /** The JSON schema type package.json declares. */
  type: 'string' | 'boolean' | 'number';
  default: string | boolean | number;
  /** For string settings with fixed choices. */
  enum?: readonly string[];
  /** Says what is wrong with a value of the right type, or undefined when it is valid. */
  invalid?: (value: number | string | boolean) => string | undefined;
  /** Needs a kernel restart to apply (every setting today: all are kernel start-up options). */
  restart: boolean;
}

const BACKENDS = KERNEL_BACKENDS;

const positive = (v: number | string | boolean) => (typeof v === 'number' && v > 0 && Number.isFinite(v) ? undefined : 'must be a positive number');
const fraction = (v: number | string | boolean) => (typeof v === 'number' && v > 0 && v <= 1 ? undefined : 'must be a fraction in (0, 1]');

/** Every setting, keyed by its field of {@link GradscopeSettings}. */
export const SETTINGS: Record<keyof GradscopeSettings, SettingSpec> = {
  backend: { name: 'backend', type: 'string', default: 'auto', enum: BACKENDS, restart: true },
  wasmOverrides: { name: 'wasmOverrides', type: 'boolean', default: true, restart: true },
  sampleEvery: {
    name: 'diagnostics.sampleEvery', type: 'number', default: 0, restart: true,
    invalid: (v) => (Number.isInteger(v) && (v as number) >= 0 ? undefined : 'must be a whole number ≥ 0 (0 adapts the rate)'),
  },
  vanishingFactor: { name: 'diagnostics.vanishingFactor', type: 'number', default: 100, restart: true, invalid: positive },
  deadReluFraction: { name: 'diagnostics.deadReluFraction', type: 'number', default: 0.4, restart: true, invalid: fraction },
  saturationFraction: { name: 'diagnostics.saturationFraction', type: 'number', default: 0.3, restart: true, invalid: fraction },
  nodeOptions: { name: 'kernel.nodeOptions', type: 'string', default: '--max-old-space-size=8192', restart: true },
  node: { name: 'kernel.node', type: 'string', default: 'auto', restart: true },
};

/**
 * Reads every setting through `get` (a name under `gradscope.` → its value, undefined when unset).
 * A value of the wrong type or out of range is refused by name in `problems` and the default is
 * used in its place.
 */
export function readSettings(get: (name: string) => unknown): { settings: GradscopeSettings; problems: string[] } {
  const problems: string[] = [];
  const value = (key: keyof GradscopeSettings): string | boolean | number => {
    const spec = SETTINGS[key];
    const v = get(spec.name);
    if (v === undefined || v === null) return spec.default;
    let why: string | undefined;
    if (typeof v !== spec.type) why = `must be a ${spec.type}`;
    else if (spec.enum && !spec.enum.includes(v as string)) why = `must be one of ${spec.enum.join(', ')}`;
    else why = spec.invalid?.(v as string | number | boolean);
    if (why === undefined) return v as string | boolean | number;
    problems.push(`gradscope.${spec.name} ${why}, got ${JSON.stringify(v)}; using the default ${JSON.stringify(spec.default)}`);
    return spec.default;
  };
  const settings: GradscopeSettings = {
    backend: value('backend') as GradscopeSettings['backend'],
    wasmOverrides: value('wasmOverrides') as boolean,
    sampleEvery: value('sampleEvery') as number,
    vanishingFactor: value('vanishingFactor') as number,
    deadReluFraction: value('deadReluFraction') as number,
    saturationFraction: value('saturationFraction') as number,
    nodeOptions: (value('nodeOptions') as string).split(/\s+/).filter(Boolean),
    node: value('node') as string,
  };
  return { settings, problems };
}

/** The kernel start-up options the settings give, for a notebook in `workspaceDir`. */
export function kernelOptionsOf(s: GradscopeSettings, workspaceDir: string, extensionDir: string): KernelOptions {
  return {
    workspaceDir,
    extensionDir,
    backend: s.backend,
    wasmOverrides: s.wasmOverrides,
    diagnostics: {
      sampleEvery: s.sampleEvery,
      thresholds: { vanishingFactor: s.vanishingFactor, deadReluFraction: s.deadReluFraction, saturationFraction: s.saturationFraction },
    },
  };
}

/** The full names (`gradscope.…`) of the settings that need a restart and that `affects` says changed. */
export function changedRestartSettings(affects: (fullName: string) => boolean): string[] {
  return Object.values(SETTINGS).filter((s) => s.restart).map((s) => `gradscope.${s.name}`).filter(affects);
}
