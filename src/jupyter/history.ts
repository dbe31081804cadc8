/**
 * The session's input history for `history_request` (tail, range and search with glob patterns,
 * as IPython answers them). Kept in memory for the kernel's life: one session, numbered from 1 like
 * execution counts.
 */

/** One history entry: session, line number, input, and the text of its result when there was one. */
export interface HistoryEntry {
  session: number;
  line: number;
  input: string;
  output: string | null;
}

/** What `history_request` asks for (the fields the spec defines). */
export interface HistoryQuery {
  output?: boolean;
  hist_access_type?: 'range' | 'tail' | 'search' | string;
  session?: number;
  start?: number;
  stop?: number;
  n?: number;
  pattern?: string;
  unique?: boolean;
}

/** The session number this kernel reports (IPython counts sessions; this kernel has one). */
export const SESSION = 1;

/** Stored inputs, newest last. */
export class History {
  private readonly entries: HistoryEntry[] = [];

  add(line: number, input: string): HistoryEntry {
    const e: HistoryEntry = { session: SESSION, line, input, output: null };
    this.entries.push(e);
    return e;
  }

  /** The reply's `history` list: `[session, line, input]` or `[session, line, [input, output]]`. */
  query(q: HistoryQuery): unknown[] {
    let found: HistoryEntry[];
    switch (q.hist_access_type ?? 'range') {
      case 'tail':
        found = q.n === undefined ? this.entries : this.entries.slice(-Math.max(0, q.n));
        break;
      case 'range': {
        const inSession = q.session === undefined || q.session === SESSION || q.session === 0;
        const start = q.start ?? 1;
        const stop = q.stop ?? Number.POSITIVE_INFINITY;
        found = inSession ? this.entries.filter((e) => e.line >= start && e.line < stop) : [];
        break;
      }
      case 'search': {
        const re = globToRegExp(q.pattern ?? '*');
        found = this.entries.filter((e) => re.test(e.input));
        if (q.unique) {
          const seen = new Set<string>();
          found = found.reverse().filter((e) => !seen.has(e.input) && !!seen.add(e.input)).reverse();
        }
        if (q.n !== undefined) found = found.slice(-Math.max(0, q.n));
        break;
      }
      default:
        throw new Error(`unknown hist_access_type '${q.hist_access_type}' (tail, range or search)`);
    }
    return found.map((e) => (q.output ? [e.session, e.line, [e.input, e.output]] : [e.session, e.line, e.input]));
  }
}

/** IPython's search patterns: `*` any text, `?` one character, matched against the whole input. */
function globToRegExp(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[\\s\\S]*').replace(/\?/g, '[\\s\\S]');
  return new RegExp(`^${body}$`);
}
