/**
 * Activation time in a real VS Code (code-server + Chromium): the extension-host suite
 * test/e2e/suite/activation.e2e.ts activates Gradscope in a fresh VS Code, `RUNS` times, and the
 * median is printed against the goal (≤ 50 ms) as a ratio. The figure is VS Code's own count
 * (loading dist/extension.js plus the activate() call); the wall time of ext.activate(), which also
 * waits for VS Code to ready the extension's storage, is printed beside it. `--runs N` sets RUNS
 * (defaults to 5).
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface Times { wasActive: boolean; wallMs: number; loadMs?: number; activateMs?: number }

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main() {
  const i = process.argv.indexOf('--runs');
  const runs = i > 0 ? Number(process.argv[i + 1]) : 5;
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer, got ${process.argv[i + 1]}`);
  const { launchBrowser } = await import('../e2e/harness/workbench');
  const { runSuiteInCodeServer } = await import('../e2e/harness/suiteRun');
  // ACTIVATION_FIGURES of activation.e2e.ts (which imports `vscode`, so it cannot be imported here).
  const file = join(tmpdir(), 'gradscope-activation-figures.json');
  const all: Times[] = [];
  const browser = await launchBrowser();
  try {
    for (let r = 0; r < runs; r++) {
      rmSync(file, { force: true });
      await runSuiteInCodeServer(browser, { suites: ['activation'], fixtures: ['smoke.tfnb'] });
      if (!existsSync(file)) throw new Error('the activation suite wrote no figures');
      all.push(JSON.parse(readFileSync(file, 'utf8')) as Times);
    }
  } finally {
    await browser.close();
  }
  const own = all.map((t) => (t.loadMs ?? NaN) + (t.activateMs ?? NaN));
  console.log(`activation in a fresh code-server 1.100.3, ${runs} runs:`);
  console.log(`  loading dist/extension.js ms   ${all.map((t) => t.loadMs).join(', ')}`);
  console.log(`  activate() ms                  ${all.map((t) => t.activateMs).join(', ')}`);
  console.log(`  ext.activate() wall ms         ${all.map((t) => t.wallMs.toFixed(1)).join(', ')}`);
  console.log(`  median activation / goal 50 ms = ${(median(own) / 50).toFixed(2)} (${median(own)} ms; goal ≤ 1)`);
  console.log(`  median ext.activate() wall ms  ${median(all.map((t) => t.wallMs)).toFixed(1)} (includes VS Code readying the extension's storage)`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
