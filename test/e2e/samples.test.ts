/**
 * Every sample in a real VS Code (code-server 1.100.3 + Debian's Chromium): the extension-host suite
 * test/e2e/suite/samples.e2e.ts opens each samples/NN-*.tfnb, runs all its cells with the Gradscope
 * kernel and checks the outputs, the gradient-health payloads and the findings each sample is about.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { basename } from 'node:path';
import type { Browser } from 'playwright-core';
import { sampleFiles } from './harness/samples';
import { runSuiteInCodeServer } from './harness/suiteRun';
import { launchBrowser } from './harness/workbench';

describe('the samples in a real VS Code', () => {
  let browser: Browser | undefined;
  const samples = sampleFiles();
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  // Each sample runs in under a minute on an idle machine; allow for a shared CPU.
  const budget = 120_000 + samples.length * 150_000;
  test(`Run All on ${samples.map((f) => basename(f)).join(', ')}`, { timeout: budget + 60_000 }, async () => {
    assert.ok(samples.length > 0, 'no samples/NN-*.tfnb');
    const passed = await runSuiteInCodeServer(browser!, { suites: ['samples'], fixtures: samples, timeoutMs: budget });
    for (const f of samples) {
      assert.ok(passed.some((t) => t.includes(basename(f))), `${basename(f)} did not run: ${passed.join(', ')}`);
    }
  });
});
