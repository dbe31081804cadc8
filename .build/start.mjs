// `npm start`: the product on its samples, in one command on a fresh machine (after `npm ci`).
// The npm script has built dist/; this packages the vsix, installs code-server into the test-tool
// cache (~/.cache/gradscope-test, shared with the e2e tests), installs the vsix into a persistent
// profile (~/.local/share/gradscope-dev) and serves a scratch copy of samples/ (scratchSamples.mjs: a new
// temp folder each start, so autosave never writes into the tracked files) at a printed localhost URL
// until Ctrl-C.
//   npm start                     code-server on a free port (PORT=8080 npm start to pick one)
//   npm start -- --desktop        VS Code desktop instead, when its `code` CLI is on the PATH
import { spawnSync } from 'node:child_process';
import { homedir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scratchSamples } from './scratchSamples.mjs';
import 'tsx'; // registers TypeScript loading (as `node --import tsx`) for the imports below

const { packageVsix } = await import('../test/e2e/harness/packageVsix.ts');
const { startCodeServer, codeServerCli } = await import('../test/e2e/harness/codeServer.ts');

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const samples = scratchSamples(join(root, 'samples'));
console.log(`opening a scratch copy of samples/ in ${samples} (edits and outputs stay there)`);
const desktop = process.argv.includes('--desktop');

console.log('packaging dist/gradscope.vsix…');
const vsix = packageVsix(join(root, 'dist', 'gradscope.vsix'));

if (desktop) {
  if (spawnSync('code', ['--version'], { stdio: 'ignore' }).status !== 0) {
    console.error('--desktop needs the `code` command of VS Code desktop on the PATH; run `npm start` for the browser version.');
    process.exit(1);
  }
  const inst = spawnSync('code', ['--install-extension', vsix, '--force'], { stdio: 'inherit' });
  if (inst.status !== 0) process.exit(inst.status ?? 1);
  process.exit(spawnSync('code', [samples], { stdio: 'inherit' }).status ?? 0);
}

const profileDir = process.env.GRADSCOPE_DEV_PROFILE ?? join(homedir(), '.local', 'share', 'gradscope-dev');
const port = process.env.PORT ? Number(process.env.PORT) : undefined;
if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) {
  console.error(`PORT must be a TCP port number, got ${process.env.PORT}`);
  process.exit(1);
}
const inst = codeServerCli(profileDir, ['--install-extension', vsix, '--force']);
if (inst.status !== 0) {
  console.error(`installing ${vsix} into ${profileDir} failed:\n${inst.output}`);
  process.exit(1);
}
const server = await startCodeServer({ folder: samples, profileDir, port });
let stopping = false;
const stop = async (code) => {
  if (stopping) return;
  stopping = true;
  await server.stop();
  process.exit(code);
};
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));
console.log(`\nGradscope is installed in ${profileDir}.`);
console.log(`Open ${server.url} in your browser (Ctrl-C stops the server).\n`);
