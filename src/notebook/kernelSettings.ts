/**
 * Which settings may start or steer a kernel, and how they are read under workspace trust. Pure (no
 * `vscode`): the controller passes in what `WorkspaceConfiguration.inspect` returned.
 *
 * Contract: a kernel starts only in a trusted workspace (see {@link untrustedRefusal}). The settings in
 * {@link CODE_RUNNING_SETTINGS} can make a kernel run code that the workspace chose (Node options such
 * as `--require`, a backend loaded from the workspace's `node_modules`, the node executable itself); package.json lists them in
 * `capabilities.untrustedWorkspaces.restrictedConfigurations`, and {@link settingValue} never applies
 * their workspace or folder value while the workspace is untrusted, even where a caller forgets the
 * trust check.
 *
 * @example
 * const nodeOptions = settingValue(config.inspect<string>('kernel.nodeOptions'), vscode.workspace.isTrusted, '');
 */

/** Settings (under `gradscope.`) whose workspace value could run workspace code. */
export const CODE_RUNNING_SETTINGS = ['backend', 'kernel.nodeOptions', 'kernel.node'] as const;

/** What `WorkspaceConfiguration.inspect` reports for a setting (the fields this module reads). */
export interface SettingInspection<T> {
  defaultValue?: T;
  globalValue?: T;
  workspaceValue?: T;
  workspaceFolderValue?: T;
}

/**
 * The value of a setting: the most specific one when `trusted`, else the user's (global) value or the
 * default for a setting in {@link CODE_RUNNING_SETTINGS}, whatever the workspace says. `fallback`
 * when nothing is set.
 */
export function settingValue<T>(key: string, inspected: SettingInspection<T> | undefined, trusted: boolean, fallback: T): T {
  if (!inspected) return fallback;
  const restricted = !trusted && (CODE_RUNNING_SETTINGS as readonly string[]).includes(key);
  const chain = restricted
    ? [inspected.globalValue, inspected.defaultValue]
    : [inspected.workspaceFolderValue, inspected.workspaceValue, inspected.globalValue, inspected.defaultValue];
  for (const v of chain) if (v !== undefined) return v;
  return fallback;
}

/** Ways a kernel can be asked to start; each names what the user did. */
export type KernelStartAction = 'run' | 'restart';

/**
 * The message shown instead of starting a kernel in an untrusted workspace, or undefined when the
 * workspace is trusted and the kernel may start.
 */
export function untrustedRefusal(trusted: boolean, action: KernelStartAction): string | undefined {
  if (trusted) return undefined;
  const what = action === 'run' ? 'run its cells' : 'restart the kernel';
  return `Gradscope runs no code in an untrusted workspace (Restricted Mode): no kernel was started. Trust this folder (Workspaces: Manage Workspace Trust) to ${what}.`;
}
