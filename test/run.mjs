// Runs the test files under test/<suite>/ (all suites by default) in one node:test run, so CI's last
// line is node:test's summary. TypeScript tests load through tsx; suites: unit, e2e.
import { spawnSync } from 'node:child_process';
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
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...extra, ...files], {
  stdio: 'inherit',
  env: { ...process.env, GRADSCOPE_TEST: '1' },
});
process.exit(r.status ?? 1);
