/**
 * Where the training loop meets a health monitor without knowing it: the layer above (the
 * `gradscope` library entry) installs a {@link MonitorPlugin}, and `gs.fit` asks it for the monitor
 * that `TrainArgs.diagnostics` turns on. The training layer never imports src/diagnostics; with no
 * plugin installed an explicit `diagnostics` option is refused by name, and the kernel's default
 * (monitoring on) adds nothing.
 */
import type { TrainingObserver } from './observer';

/** Options of the installed monitor (in the library: `gs.diagnostics.HealthMonitorArgs`). */
export type MonitorOptions = object;

/** What the library installs so that `gs.fit` can run a health monitor. */
export interface MonitorPlugin {
  /** Makes the monitor of one run; `options` is undefined for `diagnostics: true` and the kernel default. */
  create(options: MonitorOptions | undefined): TrainingObserver;
  /**
   * True for an observer that reads the step's gradient norms (`BatchEndInfo.gradNormPreClip`,
   * `gradSquares`): `gs.fit` then measures them, as it does for the monitor it made itself.
   */
  wantsGradients(observer: TrainingObserver): boolean;
}

let installed: MonitorPlugin | undefined;

/** Installs the plugin `gs.fit` uses from now on (the library entry does, once, when it loads). */
export function installMonitorPlugin(plugin: MonitorPlugin): void {
  installed = plugin;
}

/** The installed plugin, if any. */
export function monitorPlugin(): MonitorPlugin | undefined {
  return installed;
}
