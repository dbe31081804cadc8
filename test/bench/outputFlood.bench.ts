/**
 * Console floods: lines per second into a real VS Code (code-server + Chromium, the extension-host
 * suite test/e2e/suite/flood.e2e.ts), the time from the end of a 1e6-line cell to the start of the
 * cell queued after it, and the kernel's resident memory (sampled from /proc) during the editor's
 * floods and headless floods of 1e6 and 1e7 lines. Goals are printed beside the figures as ratios:
 * ≥ 50 000 lines/s, next cell ≤ 1 s, RSS flat (the 1e7 flood's peak over the 1e6 flood's close to 1).
 * `--headless` skips the editor part.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KernelClient } from '../../src/kernel/client';
import { kernelPath, root, requireBuild } from '../unit/kernel/kernelHarness';

function rssMb(pid: number): number {
  const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/);
  return m ? Number(m[1]) / 1024 : NaN;
}

async function headless(): Promise<Record<string, number>> {
  requireBuild();
  const k = new KernelClient({ kernelPath, options: { workspaceDir: root, extensionDir: root, backend: 'cpu', wasmOverrides: true } });
  const sink = { output() {}, updateDisplay() {} };
  let n = 0;
  const run = (source: string, onValue?: (v: string) => void) => k.execute(
    { source, filename: `gradscope-cell:/b${++n}`, label: `Cell ${n}`, cellUri: `b${n}`, executionCount: n },
    { ...sink, output(o) { if (o.output_type === 'execute_result') onValue?.(String(o.data['text/plain'])); } },
  );
  try {
    let pid = 0;
    await run('process.pid', (v) => (pid = Number(v)));
    const out: Record<string, number> = { rss_idle_mb: rssMb(pid) };
    for (const lines of [1e6, 1e7]) {
      let peak = 0;
      const sampler = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 50);
      const t0 = performance.now();
      await run(`for (let i = 0; i < ${lines}; i++) console.log('line', i);`);
      const ms = performance.now() - t0;
      clearInterval(sampler);
      const t1 = performance.now();
      await run('1');
      out[`headless_${lines}_lines_per_s`] = Math.round(lines / (ms / 1000));
      out[`headless_next_cell_after_${lines}_ms`] = Math.round(performance.now() - t1);
      out[`rss_peak_${lines}_mb`] = Math.round(peak);
    }
    return out;
  } finally {
    k.dispose();
  }
}

async function editor(): Promise<Record<string, number> | string> {
  const { launchBrowser } = await import('../e2e/harness/workbench');
  const { runSuiteInCodeServer } = await import('../e2e/harness/suiteRun');
  // FLOOD_FIGURES of flood.e2e.ts (which imports `vscode`, so it cannot be imported here).
  const file = join(tmpdir(), 'gradscope-flood-figures.json');
  rmSync(file, { force: true });
  const browser = await launchBrowser();
  try {
    await runSuiteInCodeServer(browser, { suites: ['flood'], fixtures: ['flood.tfnb'], timeoutMs: 840_000 });
  } catch (e) {
    return `editor run failed: ${(e as Error).message.slice(0, 500)}`;
  } finally {
    await browser.close();
  }
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : 'the suite wrote no figures';
}

async function main() {
  const h = await headless();
  console.log('headless kernel (cpu backend):');
  for (const [k, v] of Object.entries(h)) console.log(`  ${k.padEnd(36)} ${v}`);
  console.log(`  RSS flatness: peak at 1e7 lines / peak at 1e6 lines = ${(h.rss_peak_10000000_mb / h.rss_peak_1000000_mb).toFixed(2)} (goal ≈ 1; idle ${h.rss_idle_mb.toFixed(0)} MB)`);
  if (process.argv.includes('--headless')) return;
  const e = await editor();
  console.log('real VS Code (code-server 1.100.3, Chromium):');
  if (typeof e === 'string') {
    console.log(`  ${e}`);
    process.exitCode = 1;
    return;
  }
  for (const [k, v] of Object.entries(e)) console.log(`  ${k.padEnd(36)} ${v}`);
  console.log(`  lines/s at 1e6 lines / goal 50 000 = ${(e.lines_1000000_per_s / 50_000).toFixed(2)} (goal ≥ 1)`);
  console.log(`  next cell started after the 1e6-line cell ended / goal 1000 ms = ${(e.next_cell_after_1e6_ms / 1000).toFixed(3)} (goal ≤ 1; its value shown after ${e.next_cell_done_after_1e6_ms} ms)`);
  console.log(`  kernel RSS: peak during 1e6 lines / idle = ${(e.rss_peak_1000000_mb / e.rss_idle_mb).toFixed(2)} (${e.rss_peak_1000000_mb} MB over ${e.rss_idle_mb} MB)`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
