/**
 * Settings that can run workspace code: declared restricted in package.json, and their workspace value
 * never applied while the workspace is untrusted. The kernel itself never starting in Restricted Mode
 * is tested in a real VS Code (test/e2e/trust.test.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CODE_RUNNING_SETTINGS, settingValue, untrustedRefusal } from '../../../src/notebook/kernelSettings';

const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8'));

/** A declared setting's JSON-schema types. */
function typesOf(schema: { type?: string | string[] }): string[] {
  return schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
}

test('package.json declares every setting that can run code as restricted in untrusted workspaces', () => {
  const restricted: string[] = pkg.capabilities.untrustedWorkspaces.restrictedConfigurations ?? [];
  const properties: Record<string, { type?: string | string[] }> = pkg.contributes.configuration.properties;
  const declared = Object.keys(properties);
  // The manifest's list and the rule settingValue applies are the same list, in both directions.
  assert.deepEqual([...restricted].sort(), CODE_RUNNING_SETTINGS.map((k) => `gradscope.${k}`).sort(),
    'restrictedConfigurations and CODE_RUNNING_SETTINGS differ');
  // A string (or array, object) setting can name a path, an executable, a module or process options,
  // and so point the kernel at workspace code (a workspace's `gradscope.kernel.node: ./evil` would run
  // it): each one is restricted. Only numbers and booleans are inert, unless their name says they load
  // or execute something.
  for (const key of declared) {
    const inert = typesOf(properties[key]).length > 0 && typesOf(properties[key]).every((t) => t === 'number' || t === 'integer' || t === 'boolean');
    const named = /path|dir|file|command|options|backend|require|module|node|exec|binary|program|script|env|load|workspace/i.test(key);
    if (!inert || named) assert.ok(restricted.includes(key), `${key} can run code but is not in restrictedConfigurations`);
  }
  for (const key of restricted) assert.ok(declared.includes(key), `restricted ${key} is not a declared setting`);
  assert.equal(pkg.capabilities.untrustedWorkspaces.supported, 'limited');
});

test('an untrusted workspace\'s --require in kernel.nodeOptions is not applied; the user\'s own value is', () => {
  const evil = { defaultValue: '--max-old-space-size=8192', workspaceValue: '--require ./evil.js' };
  assert.equal(settingValue('kernel.nodeOptions', evil, false, ''), '--max-old-space-size=8192');
  assert.equal(settingValue('kernel.nodeOptions', { ...evil, workspaceFolderValue: '--require ./x.js' }, false, ''), '--max-old-space-size=8192');
  assert.equal(settingValue('kernel.nodeOptions', { ...evil, globalValue: '--max-old-space-size=4096' }, false, ''), '--max-old-space-size=4096');
  assert.equal(settingValue('kernel.nodeOptions', evil, true, ''), '--require ./evil.js', 'trusted: the workspace value applies');
  assert.equal(settingValue('backend', { defaultValue: 'auto', workspaceValue: 'tensorflow' }, false, 'auto'), 'auto');
  assert.equal(settingValue('backend', undefined, false, 'auto'), 'auto');
  assert.equal(settingValue('kernel.node', { defaultValue: 'auto', workspaceValue: './evil-node' }, false, 'auto'), 'auto', 'a workspace cannot pick the kernel executable');
  // Settings that run nothing keep their workspace value either way.
  assert.equal(settingValue('wasmOverrides', { defaultValue: true, workspaceValue: false }, false, true), false);
});

test('starting a kernel in an untrusted workspace is refused with a message that says how to trust it', () => {
  assert.equal(untrustedRefusal(true, 'restart'), undefined);
  for (const action of ['run', 'restart'] as const) {
    const m = untrustedRefusal(false, action);
    assert.match(m ?? '', /untrusted workspace \(Restricted Mode\): no kernel was started/);
    assert.match(m ?? '', /Manage Workspace Trust/);
  }
  assert.match(untrustedRefusal(false, 'restart')!, /to restart the kernel\.$/);
  assert.match(untrustedRefusal(false, 'run')!, /to run its cells\.$/);
});
