/**
 * Measurements an extension-host test reports (e.g. the activation time): kept on the mocha test
 * itself, written to the report by ./index.ts and printed by the launcher (../harness/suiteRun.ts).
 * Figures are printed, never asserted (speed goals live in test/bench).
 */
import type Mocha from 'mocha';

/** Records `text` on the running test. */
export function measure(test: Mocha.Runnable | undefined, text: string): void {
  if (!test) return;
  const t = test as { measures?: string[] };
  (t.measures ??= []).push(text);
}
