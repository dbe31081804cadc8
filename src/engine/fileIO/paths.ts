/**
 * `file://` URLs as tfjs-node reads them: the text after the scheme is a file-system path, not
 * percent-decoded; `file:///abs/dir` is absolute and `file://./dir` or `file://dir` is relative. A
 * relative path resolves against the base folder the routers were registered with (the notebook's
 * folder in the kernel, the process's working directory in plain Node).
 */
import * as path from 'node:path';

/** The scheme the routers answer to. */
export const FILE_SCHEME = 'file://';

/** True when `url` is a single `file://` URL. */
export function isFileUrl(url: unknown): url is string {
  return typeof url === 'string' && url.startsWith(FILE_SCHEME);
}

/** The absolute path a `file://` URL (or a plain path) names, relative paths taken from `baseDir`; another scheme is refused. */
export function resolveFilePath(url: string, baseDir: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url) && !url.startsWith(FILE_SCHEME)) {
    throw new Error(`${JSON.stringify(url)} is not a file path: a file:// model reads its weights from disk (give a path or a file:// URL)`);
  }
  const rest = url.startsWith(FILE_SCHEME) ? url.slice(FILE_SCHEME.length) : url;
  if (rest.trim() === '') throw new Error(`${JSON.stringify(url)} names no path: write e.g. file://./models/base or file:///abs/path/model.json`);
  return path.resolve(baseDir, rest);
}

/** A path for messages: relative to `baseDir` when inside it, else absolute. */
export function shownPath(abs: string, baseDir: string): string {
  const rel = path.relative(baseDir, abs);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : abs;
}
