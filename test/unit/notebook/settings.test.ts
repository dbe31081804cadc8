/**
 * The host's settings table (src/notebook/settings.ts) against what package.json declares to VS
 * Code, and how values are read: defaults, refused values named with the default used instead, the
 * kernel options they give, and which changes ask for a kernel restart.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SETTINGS, changedRestartSettings, kernelOptionsOf, readSettings } from '../../../src/notebook/settings';

const pkg = JSON.parse(readFileSync(join(__dirname, '../../../package.json'), 'utf8'));
const declared: Record<string, { type: string; default: unknown; enum?: string[]; markdownDescription?: string }> =
  pkg.contributes.configuration.properties;

describe('gradscope.* settings', () => {
  test('package.json declares exactly the settings of the table, with the same types, defaults and choices', () => {
    const names = Object.values(SETTINGS).map((s) => `gradscope.${s.name}`).sort();
    assert.deepEqual(Object.keys(declared).sort(), names);
    for (const spec of Object.values(SETTINGS)) {
      const d = declared[`gradscope.${spec.name}`];
      assert.equal(d.type, spec.type, spec.name);
      assert.deepEqual(d.default, spec.default, spec.name);
      assert.deepEqual(d.enum, spec.enum ? [...spec.enum] : undefined, spec.name);
      assert.match(d.markdownDescription ?? '', /Applies to kernels started after the change\.$/, spec.name);
    }
  });

  test('the vanishing factor is described as the rule compares: per-sample sensitivity norms', () => {
    const text = declared['gradscope.diagnostics.vanishingFactor'].markdownDescription ?? '';
    assert.match(text, /per-sample sensitivity norm/);
    assert.doesNotMatch(text, /RMS/);
  });

  test('unset settings read as their defaults; node options split into arguments', () => {
    const { settings, problems } = readSettings(() => undefined);
    assert.deepEqual(problems, []);
    assert.deepEqual(settings, {
      backend: 'auto', wasmOverrides: true, sampleEvery: 0, vanishingFactor: 100, deadReluFraction: 0.4,
      saturationFraction: 0.3, nodeOptions: ['--max-old-space-size=8192'], node: 'auto',
    });
  });

  test('set values are used as they are', () => {
    const values: Record<string, unknown> = {
      backend: 'cpu', wasmOverrides: false, 'diagnostics.sampleEvery': 5, 'diagnostics.vanishingFactor': 10,
      'diagnostics.deadReluFraction': 0.9, 'diagnostics.saturationFraction': 1, 'kernel.nodeOptions': '  --a   --b=1 ', 'kernel.node': '/opt/node/bin/node',
    };
    const { settings, problems } = readSettings((n) => values[n]);
    assert.deepEqual(problems, []);
    assert.deepEqual(settings, {
      backend: 'cpu', wasmOverrides: false, sampleEvery: 5, vanishingFactor: 10, deadReluFraction: 0.9,
      saturationFraction: 1, nodeOptions: ['--a', '--b=1'], node: '/opt/node/bin/node',
    });
  });

  test('a bad value is refused by its full name, with what was wrong, and the default is used', () => {
    const values: Record<string, unknown> = {
      backend: 'tpu', wasmOverrides: 'yes', 'diagnostics.sampleEvery': 2.5, 'diagnostics.deadReluFraction': 1.5,
    };
    const { settings, problems } = readSettings((n) => values[n]);
    assert.deepEqual(problems, [
      'gradscope.backend must be one of auto, tensorflow-gpu, webgpu, tensorflow, wasm, cpu, got "tpu"; using the default "auto"',
      'gradscope.wasmOverrides must be a boolean, got "yes"; using the default true',
      'gradscope.diagnostics.sampleEvery must be a whole number ≥ 0 (0 adapts the rate), got 2.5; using the default 0',
      'gradscope.diagnostics.deadReluFraction must be a fraction in (0, 1], got 1.5; using the default 0.4',
    ]);
    assert.equal(settings.backend, 'auto');
    assert.equal(settings.wasmOverrides, true);
    assert.equal(settings.sampleEvery, 0);
    assert.equal(settings.deadReluFraction, 0.4);
  });

  test('the kernel options carry every setting the kernel reads', () => {
    const { settings } = readSettings((n) => (n === 'diagnostics.vanishingFactor' ? 7 : undefined));
    assert.deepEqual(kernelOptionsOf(settings, '/ws', '/ext'), {
      workspaceDir: '/ws', extensionDir: '/ext', backend: 'auto', wasmOverrides: true,
      diagnostics: { sampleEvery: 0, thresholds: { vanishingFactor: 7, deadReluFraction: 0.4, saturationFraction: 0.3 } },
    });
  });

  test('changed settings that a running kernel started with are named for the restart prompt', () => {
    assert.deepEqual(changedRestartSettings((n) => n === 'gradscope.backend' || n === 'gradscope.kernel.nodeOptions'),
      ['gradscope.backend', 'gradscope.kernel.nodeOptions']);
    assert.deepEqual(changedRestartSettings(() => false), []);
  });
});
