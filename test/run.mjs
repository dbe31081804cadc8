// Runs the test files under test/<suite>/ (all suites by default) in one node:test run, so CI's last
// line is node:test's summary. TypeScript tests load through tsx; suites: unit, e2e.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const suites = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const only = suites.length ? suites : ['unit', 'e2e'];

function find(dir) {
  let out = [];
  for (const name of readdirSync(dir)) {
    if (name === 'fixtures' || name === 'node_modules') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(find(p));
    else if (/\.test\.(ts|mjs|js)$/.test(name)) out.push(p);
  }
  return out.sort();
}

const files = only.flatMap((s) => find(join(here, s)));
if (files.length === 0) {
  console.error(`no test files under ${only.join(', ')}`);
  process.exit(1);
}
const extra = process.argv.slice(2).filter((a) => a.startsWith('-'));
// node:test's spec reporter lists the failed tests again after its summary; CI reads the last lines,
// so the summary block is printed once more at the very end when anything followed it.
const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...extra, ...files], {
  stdio: ['ignore', 'pipe', 'inherit'],
  env: { ...process.env, GRADSCOPE_TEST: '1' },
});
let summary = [];
let afterSummary = false;
let partial = '';
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  const lines = (partial + chunk.toString()).split('\n');
  partial = lines.pop() ?? '';
  for (const line of lines) {
    if (/^ℹ (tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) /.test(line)) {
      if (afterSummary || line.startsWith('ℹ tests ')) summary = afterSummary && !line.startsWith('ℹ tests ') ? summary : [];
      summary.push(line);
      afterSummary = false;
    } else if (summary.length && line.trim()) {
      afterSummary = true;
    }
  }
});
child.on('close', (code) => {
  if (partial) process.stdout.write('\n');
  if (afterSummary && summary.length) process.stdout.write(`\n${summary.join('\n')}\n`);
  process.exit(code ?? 1);
});
