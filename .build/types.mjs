// Builds dist/types/, the type declarations the notebook language service (src/language) reads at
// run time, shipped with the extension (the packaged extension has no node_modules .d.ts files):
//   dist/types/node_modules/gradscope/…  the library's declarations (.build/tsconfig/libraryTypes.json: src/library/index.ts)
//   dist/types/lib/lib.*.d.ts         TypeScript's ES libraries (no DOM: cells run in Node)
//   dist/types/node_modules/@types/node, undici-types   Node's globals and modules (cells run in the kernel's Node)
//   dist/types/node_modules/@tensorflow/*                tfjs's declarations (the kernel's engine packages)
// Each part is rebuilt only when its inputs are newer than its stamp file, so a build with no change
// to the library costs a directory walk.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** The engine packages whose declarations cells see (everything tfjs's own declarations import). */
const TFJS_PACKAGES = [
  'tfjs', 'tfjs-core', 'tfjs-layers', 'tfjs-data', 'tfjs-converter', 'tfjs-backend-cpu', 'tfjs-backend-webgl', 'tfjs-backend-wasm',
];
/** Library sources whose declarations make up `gradscope`'s. */
const LIBRARY_SOURCES = ['src/protocol', 'src/engine', 'src/training', 'src/diagnostics', 'src/library'];

function walk(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) walk(p, out);
    else out.push({ path: p, mtime: st.mtimeMs });
  }
  return out;
}

function newest(files) {
  return files.reduce((m, f) => Math.max(m, f.mtime), 0);
}

/** True when `stamp` exists and is newer than every input. */
function fresh(stamp, inputs) {
  return existsSync(stamp) && statSync(stamp).mtimeMs >= newest(inputs);
}

function copyTree(files, fromDir, toDir, keep) {
  rmSync(toDir, { recursive: true, force: true });
  for (const f of files) {
    const rel = path.relative(fromDir, f.path);
    if (!keep(rel)) continue;
    const to = path.join(toDir, rel);
    mkdirSync(path.dirname(to), { recursive: true });
    copyFileSync(f.path, to);
  }
}

/** Emits the library's declarations (.build/tsconfig/libraryTypes.json); returns the error messages. */
function emitLibrary(root, ts, outDir) {
  const configPath = path.join(root, '.build/tsconfig/libraryTypes.json');
  const config = ts.getParsedCommandLineOfConfigFile(configPath, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n')); } });
  const errors = config.errors.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  if (errors.length) return errors;
  rmSync(outDir, { recursive: true, force: true });
  const program = ts.createProgram(config.fileNames, config.options);
  const result = program.emit(undefined, undefined, undefined, true);
  return result.diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

/** Builds dist/types under `root`; throws with the compiler's messages when the library's declarations fail. */
export function buildTypes(root) {
  const out = path.join(root, 'dist/types');
  const require = createRequire(path.join(root, 'package.json'));
  const ts = require('typescript');
  const built = [];

  const libSources = LIBRARY_SOURCES.flatMap((d) => walk(path.join(root, d))).filter((f) => f.path.endsWith('.ts'))
    .concat(walk(path.join(root, '.build/tsconfig')));
  const libStamp = path.join(out, 'node_modules/gradscope/.stamp');
  if (!fresh(libStamp, libSources)) {
    const errors = emitLibrary(root, ts, path.join(out, 'node_modules/gradscope'));
    if (errors.length) throw new Error(`declarations of gradscope:\n${errors.join('\n')}`);
    writeFileSync(libStamp, '');
    built.push('gradscope');
  }

  const tsLib = path.dirname(require.resolve('typescript/lib/lib.d.ts'));
  const libFiles = readdirSync(tsLib)
    .filter((n) => /^lib\.(es5|es20\d\d(\.[a-z0-9]+)?|esnext(\.[a-z0-9]+)?|decorators(\.legacy)?)\.d\.ts$/.test(n))
    .map((n) => ({ path: path.join(tsLib, n), mtime: statSync(path.join(tsLib, n)).mtimeMs }));
  const libStampFile = path.join(out, 'lib/.stamp');
  if (!fresh(libStampFile, libFiles)) {
    copyTree(libFiles, tsLib, path.join(out, 'lib'), () => true);
    writeFileSync(libStampFile, '');
    built.push('lib');
  }

  const packages = [['@types/node', (rel) => rel.endsWith('.d.ts') || rel === 'package.json'], ['undici-types', (rel) => rel.endsWith('.d.ts') || rel === 'package.json']]
    .concat(TFJS_PACKAGES.map((p) => [`@tensorflow/${p}`, (rel) => (rel.endsWith('.d.ts') && !rel.startsWith('node_modules')) || rel === 'package.json']));
  for (const [name, keep] of packages) {
    const from = path.dirname(require.resolve(`${name}/package.json`));
    const files = walk(from).filter((f) => !path.relative(from, f.path).startsWith('node_modules'));
    const to = path.join(out, 'node_modules', name);
    const stamp = path.join(to, '.stamp');
    if (fresh(stamp, files)) continue;
    copyTree(files, from, to, keep);
    writeFileSync(stamp, '');
    built.push(name);
  }
  const version = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).version;
  writeFileSync(path.join(out, 'node_modules/gradscope/package.json'), `${JSON.stringify({ name: 'gradscope', version, types: 'library/index.d.ts' }, null, 1)}\n`);
  return built;
}

/**
 * Writes dist/language/: the TextMate grammar and language configuration of the cells' own language
 * id (`gradscope-typescript`, package.json "languages"). The grammar embeds VS Code's built-in
 * TypeScript grammar (`source.ts`), so cells are coloured as TypeScript.
 */
export function writeCellLanguage(root) {
  const out = path.join(root, 'dist/language');
  mkdirSync(out, { recursive: true });
  const grammar = { name: 'TypeScript (Gradscope)', scopeName: 'source.gradscope-ts', patterns: [{ include: 'source.ts' }] };
  const brackets = [['{', '}'], ['[', ']'], ['(', ')']];
  const configuration = {
    comments: { lineComment: '//', blockComment: ['/*', '*/'] },
    brackets,
    autoClosingPairs: [
      { open: '{', close: '}' }, { open: '[', close: ']' }, { open: '(', close: ')' },
      { open: "'", close: "'", notIn: ['string', 'comment'] }, { open: '"', close: '"', notIn: ['string'] },
      { open: '`', close: '`', notIn: ['string', 'comment'] }, { open: '/**', close: ' */', notIn: ['string'] },
    ],
    surroundingPairs: [['{', '}'], ['[', ']'], ['(', ')'], ["'", "'"], ['"', '"'], ['`', '`'], ['<', '>']],
    autoCloseBefore: ';:.,=}])>` \n\t',
    folding: { markers: { start: '^\\s*//\\s*#?region\\b', end: '^\\s*//\\s*#?endregion\\b' } },
    wordPattern: '(-?\\d*\\.\\d\\w*)|([^\\`\\~\\@\\!\\%\\^\\&\\*\\(\\)\\-\\=\\+\\[\\{\\]\\}\\\\\\|\\;\\:\\\'\\"\\,\\.\\<\\>/\\?\\s]+)',
    indentationRules: {
      increaseIndentPattern: '^((?!\\/\\/).)*(\\{([^}"\'`/]*|(\\t|[ ])*\\/\\/.*)|\\([^)"\'`/]*|\\[[^\\]"\'`/]*)$',
      decreaseIndentPattern: '^((?!.*?\\/\\*).*\\*/)?\\s*[\\}\\]\\)].*$',
    },
  };
  writeFileSync(path.join(out, 'gradscope-typescript.tmLanguage.json'), `${JSON.stringify(grammar, null, 1)}\n`);
  writeFileSync(path.join(out, 'language-configuration.json'), `${JSON.stringify(configuration, null, 1)}\n`);
}
