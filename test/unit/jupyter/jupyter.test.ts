/**
 * The Jupyter kernel as Jupyter's own tools see it: `gradscope kernel install` writes a kernelspec
 * into a scratch prefix, then Debian's Python runs the jupyter_kernel_test conformance suite (with
 * our interrupt, stdin, restart, shutdown and signature tests) and nbclient executes every sample.
 * Needs /usr/bin/python3 with python3-jupyter-kernel-test, python3-nbclient and
 * python3-jupyter-client: installed with apt when running as root, else the test names them.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { root, requireBuild } from '../kernel/kernelHarness';

const PYTHON = '/usr/bin/python3';
const PACKAGES = ['python3-jupyter-kernel-test', 'python3-nbclient', 'python3-jupyter-client'];
const MODULES = 'import jupyter_kernel_test, jupyter_client, nbclient, nbformat, zmq';

/** Makes sure Debian's Jupyter test packages are there; returns why not when they cannot be had. */
function ensurePython(): string | undefined {
  const probe = () => spawnSync(PYTHON, ['-c', MODULES], { encoding: 'utf8' });
  if (probe().status === 0) return undefined;
  const isRoot = process.getuid?.() === 0;
  if (isRoot && spawnSync('which', ['apt-get']).status === 0) {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'ignore', env });
    spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...PACKAGES], { stdio: 'ignore', env });
    if (probe().status === 0) return undefined;
  }
  return `the Jupyter tests need ${PYTHON} with Debian's ${PACKAGES.join(', ')} (apt-get install ${PACKAGES.join(' ')})`;
}

/** Runs a Python script with the scratch kernelspec on JUPYTER_PATH; resolves to its exit code and output. */
function python(args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(PYTHON, args, { cwd: __dirname, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const keep = (d: Buffer) => { out += d.toString(); };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, out }); });
  });
}

describe('the Jupyter kernel under Jupyter tools', { concurrency: false }, () => {
  let env: NodeJS.ProcessEnv;
  let prefix: string;
  before(() => {
    requireBuild();
    const missing = ensurePython();
    assert.equal(missing, undefined, missing);
    prefix = fs.mkdtempSync(path.join(os.tmpdir(), 'gradscope-jupyter-'));
    const install = spawnSync(process.execPath, [path.join(root, 'dist', 'cli.js'), 'kernel', 'install', '--prefix', prefix], { encoding: 'utf8' });
    assert.equal(install.status, 0, install.stderr);
    const spec = JSON.parse(fs.readFileSync(path.join(prefix, 'share/jupyter/kernels/gradscope/kernel.json'), 'utf8'));
    assert.deepEqual(spec.argv.slice(1), [path.join(root, 'dist', 'cli.js'), 'kernel', '{connection_file}']);
    env = {
      ...process.env, JUPYTER_PATH: path.join(prefix, 'share/jupyter'), JUPYTER_DATA_DIR: path.join(prefix, 'data'),
      JUPYTER_RUNTIME_DIR: path.join(prefix, 'runtime'), JUPYTER_PLATFORM_DIRS: '1', PYTHONUNBUFFERED: '1',
    };
  });

  test('jupyter_kernel_test conformance, interrupt, stdin, restart, shutdown and signatures', async (t) => {
    const r = await python(['conformance.py'], env, 600_000);
    const summary = r.out.split('\n').filter((l) => /^(Ran \d+ tests|OK|FAILED)/.test(l));
    t.diagnostic(summary.join('; '));
    assert.equal(r.code, 0, r.out.split('\n').filter((l) => !l.startsWith('[gradscope kernel]')).slice(-80).join('\n'));
    assert.doesNotMatch(r.out, /skipped '[^']/, 'no conformance test is skipped for a reason');
  });

  test('nbclient executes every sample with its outputs and final health panels', async (t) => {
    const samples = fs.readdirSync(path.join(root, 'samples')).filter((f) => f.endsWith('.tfnb')).sort().map((f) => path.join(root, 'samples', f));
    assert.ok(samples.length >= 7);
    const r = await python(['run_samples.py', path.join(prefix, 'executed'), ...samples], { ...env, GRADSCOPE_BACKEND: 'wasm' }, 1_500_000);
    for (const line of r.out.split('\n').filter((l) => /^\S+: \d+ cells/.test(l))) t.diagnostic(line);
    assert.equal(r.code, 0, r.out.split('\n').filter((l) => !l.startsWith('[gradscope kernel]')).slice(-60).join('\n'));
    for (const s of samples) assert.ok(fs.existsSync(path.join(prefix, 'executed', `${path.basename(s, '.tfnb')}.ipynb`)));
  });
});
