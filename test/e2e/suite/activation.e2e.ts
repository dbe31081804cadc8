/**
 * Activation alone, in an extension host where nothing has activated Gradscope yet: its times
 * (./activation.ts) are printed by the launcher and written to {@link ACTIVATION_FIGURES} for
 * test/bench/activation.bench.ts, which starts a fresh VS Code for each run and prints the median.
 * Nothing is asserted about the times.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { activateAndTime, describeActivation } from './activation';
import { measure } from './measure';
import { EXTENSION_ID } from './notebooks';

/** Where the times go (read by the bench). */
export const ACTIVATION_FIGURES = join(tmpdir(), 'gradscope-activation-figures.json');

describe('Gradscope activation', () => {
  it('activates on request, before any notebook is open', async function () {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is not installed in this VS Code`);
    assert.equal(ext.isActive, false, 'something activated Gradscope before the test');
    const times = await activateAndTime(ext);
    assert.equal(ext.isActive, true);
    measure(this.test, describeActivation(times));
    writeFileSync(ACTIVATION_FIGURES, JSON.stringify(times));
  });
});
