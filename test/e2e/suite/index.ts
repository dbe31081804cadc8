/**
 * Entry point of the extension-host mocha suite (`extensionTestsPath`), for code-server (see
 * ../harness/workbench.ts) and `@vscode/test-electron` (../electron/run.mjs) alike. Runs the compiled
 * `*.e2e.js` files next to it; `GRADSCOPE_E2E_SUITES` (comma-separated base names) picks some, and
 * `GRADSCOPE_E2E_REPORT` names a JSON file that receives every test's outcome, so the launcher can
 * report failures even where the forwarded console is lost.
 *
 * @example
 * // .test-cache/out/test/e2e/suite/index.js is built by test/e2e/harness/buildSuite.ts
 * await require('./index.js').run();
 */
import Mocha from 'mocha';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** One test's outcome as written to the report file. */
export interface E2eTestOutcome {
  title: string;
  state: 'passed' | 'failed';
  error?: string;
  /** Measurements the test recorded with `measure` (./measure.ts), printed by the launcher. */
  measures?: string[];
}

/** Runs the suite; rejects when any test fails (VS Code then exits with code 1). */
export async function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 180_000, color: false, reporter: 'spec' });
  const wanted = process.env.GRADSCOPE_E2E_SUITES?.split(',').map((s) => s.trim()).filter(Boolean);
  const files = readdirSync(__dirname).filter((f) => f.endsWith('.e2e.js')).sort();
  for (const f of files) {
    if (!wanted || wanted.includes(f.replace(/\.e2e\.js$/, ''))) mocha.addFile(join(__dirname, f));
  }
  if (mocha.files.length === 0) throw new Error(`no e2e suite matches GRADSCOPE_E2E_SUITES=${wanted} among ${files}`);
  const outcomes: E2eTestOutcome[] = [];
  const failures = await new Promise<number>((resolve) => {
    const runner = mocha.run((n) => resolve(n));
    const taken = (t: Mocha.Test): { measures?: string[] } => {
      const m = (t as { measures?: string[] }).measures;
      return m?.length ? { measures: m } : {};
    };
    runner.on('pass', (t) => outcomes.push({ title: t.fullTitle(), state: 'passed', ...taken(t) }));
    runner.on('fail', (t, err: Error) => outcomes.push({ title: t.fullTitle(), state: 'failed', error: err?.stack ?? String(err), ...taken(t) }));
  });
  if (process.env.GRADSCOPE_E2E_REPORT) writeFileSync(process.env.GRADSCOPE_E2E_REPORT, JSON.stringify(outcomes, null, 2));
  if (failures > 0) throw new Error(`${failures} extension-host test(s) failed`);
}
