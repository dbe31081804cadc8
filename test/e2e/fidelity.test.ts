/**
 * Saving in a real VS Code keeps CRLF, cell ids and metadata number spellings
 * (extension-host suite suite/fidelity.e2e.ts). The notebook is written here, so that no checkout's
 * line-end conversion can turn its CRLF into LF.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { runSuiteInCodeServer } from './harness/suiteRun';
import { launchBrowser } from './harness/workbench';

const NOTEBOOK = [
  '{', ' "cells": [',
  '  {', '   "cell_type": "markdown",', '   "metadata": {},', '   "source": [', '    "# Saved on Windows"', '   ]', '  },',
  '  {', '   "cell_type": "code",', '   "execution_count": null,', '   "metadata": {', '    "gradscope": {',
  '     "big": 1e400,', '     "lr": 1.50,', '     "tiny": 1e-05,', '     "zero": -0', '    }', '   },',
  '   "outputs": [],', '   "source": [', '    "const units = 21;"', '   ]', '  }',
  ' ],', ' "metadata": {', '  "gradscope": {', '   "scale": -0,', '   "warmup": 1.0', '  },',
  '  "kernelspec": {', '   "display_name": "Gradscope (TypeScript)",', '   "language": "typescript",', '   "name": "gradscope"', '  }',
  ' },', ' "nbformat": 4,', ' "nbformat_minor": 5', '}', '',
].join('\r\n');

describe('saving notebooks in a real VS Code', () => {
  let browser: Browser | undefined;
  let dir: string;
  before(async () => {
    browser = await launchBrowser();
    dir = mkdtempSync(join(tmpdir(), 'gradscope-fidelity-'));
    writeFileSync(join(dir, 'crlf-no-ids.tfnb'), NOTEBOOK);
  });
  after(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('CRLF, cell ids and metadata spellings survive two editor saves (extension-host suite)', { timeout: 300_000 }, async () => {
    const passed = await runSuiteInCodeServer(browser!, { suites: ['fidelity'], fixtures: [join(dir, 'crlf-no-ids.tfnb')], timeoutMs: 240_000 });
    assert.ok(passed.some((t) => /CRLF/.test(t)), `the fidelity suite did not run: ${passed.join(', ')}`);
  });
});
