/**
 * `gs.runs()` and `gs.compare(…)`: the session's runs as a list, and one view of several runs (loss
 * and validation curves overlaid, sensitivity-by-layer profiles side by side, findings per run and
 * the options that differ). A {@link Comparison} shows itself in a notebook (as a cell's last
 * expression or through `display(…)`) as the comparison MIME type with SVG and text fallbacks;
 * `display(gs.runs())` compares the listed runs.
 */
import { MIME_BUNDLE_KEY } from '../../protocol/kernelHooks';
import { COMPARE_MAX_RUNS, COMPARE_MIME, COMPARE_SCHEMA_VERSION, compareRunOf, diffOptions, type ComparePayload, type OptionDiffRow } from '../../protocol/runs';
import { compareSvg, compareText } from './compareStatic';
import { Run, runRegistry } from './registry';
import type { FitHistory } from '../../training/history';

/** What gs.compare accepts for one run: its handle, or the history `gs.fit` returned (which carries it as `run`). */
export type RunLike = Run | FitHistory;

/**
 * The runs of this kernel session, oldest first (an Array of {@link Run}); shown, it compares them.
 * @example
 * gs.runs().at(-1)?.label;          // 'run 3'
 * display(gs.runs().slice(-3));     // the last three runs in one comparison
 */
export class RunList extends Array<Run> {
  /** The run with this id (the panel's run id) or label, if kept. */
  get(idOrLabel: string): Run | undefined {
    return this.find((r) => r.id === idOrLabel) ?? this.find((r) => r.label === idOrLabel);
  }

  /** The comparison of the listed runs (the last {@link COMPARE_MAX_RUNS} when there are more). */
  compare(): Comparison {
    return compare(...this.slice(-COMPARE_MAX_RUNS));
  }

  [MIME_BUNDLE_KEY](): Record<string, unknown> {
    return this.length ? this.compare()[MIME_BUNDLE_KEY]() : { 'text/plain': 'No runs yet: gs.fit records each monitored run.' };
  }

  override toString(): string {
    return this.length ? this.map((r) => r.toString()).join('\n') : 'No runs yet.';
  }
}

/**
 * The session's runs that the health monitor observed, oldest first; the last 20 are kept.
 * @example
 * await gs.fit(model, x, y, { epochs: 3 });
 * gs.runs().length; // 1
 */
export function runs(): RunList {
  const list = new RunList();
  list.push(...runRegistry.runs());
  return list;
}

/** A comparison of runs: its payload, and how it shows itself. */
export class Comparison {
  constructor(
    /** What the view draws. */
    readonly payload: ComparePayload,
    readonly runs: readonly Run[],
  ) {}

  /** The options in which the runs differ. */
  get optionDiff(): OptionDiffRow[] {
    return diffOptions(this.payload.runs);
  }

  [MIME_BUNDLE_KEY](): Record<string, unknown> {
    return { [COMPARE_MIME]: this.payload, 'image/svg+xml': compareSvg(this.payload), 'text/plain': compareText(this.payload) };
  }

  toString(): string {
    return compareText(this.payload);
  }
}

function toRun(v: unknown, where: string): Run {
  if (v instanceof Run) return v;
  const run = (v as { run?: unknown } | null | undefined)?.run;
  if (run instanceof Run) return run;
  if (v !== null && typeof v === 'object' && 'history' in v) {
    throw new TypeError(`gs.compare: ${where} is a history without a run: only runs the health monitor observed are recorded (gs.fit in a notebook, or with \`diagnostics\` set)`);
  }
  throw new TypeError(`gs.compare: ${where} is not a run (pass gs.fit's history, its \`run\`, or an entry of gs.runs())`);
}

/**
 * One view of several runs: loss and validation curves overlaid, sensitivity-by-layer profiles side
 * by side, findings per run and the options that differ. Takes run handles, gs.fit histories, arrays
 * of them, or an object whose keys are the legend labels.
 *
 * @example
 * const sigmoid = await gs.fit(modelA, x, y, { epochs: 6 });
 * const relu = await gs.fit(modelB, x, y, { epochs: 6 });
 * gs.compare({ sigmoid, relu });           // last expression of a cell: shows the comparison
 * display(gs.compare(sigmoid, relu));      // or anywhere in a cell
 */
export function compare(...args: (RunLike | readonly RunLike[] | Record<string, RunLike>)[]): Comparison {
  const picked: { run: Run; label: string }[] = [];
  args.forEach((a, i) => {
    const where = `argument ${i + 1}`;
    if (Array.isArray(a)) {
      a.forEach((x, k) => { const run = toRun(x, `${where}[${k}]`); picked.push({ run, label: run.label }); });
    } else if (a !== null && typeof a === 'object' && !(a instanceof Run) && !('run' in a) && !('history' in a)) {
      for (const [label, x] of Object.entries(a as Record<string, RunLike>)) picked.push({ run: toRun(x, `${where}.${label}`), label });
    } else {
      const run = toRun(a, where);
      picked.push({ run, label: run.label });
    }
  });
  if (!picked.length) throw new RangeError('gs.compare: no runs given (pass two or more runs, e.g. gs.compare(h1, h2) or gs.compare(gs.runs()))');
  if (picked.length > COMPARE_MAX_RUNS) {
    throw new RangeError(`gs.compare: ${picked.length} runs given; one comparison shows at most ${COMPARE_MAX_RUNS} (pick some, e.g. gs.runs().slice(-${COMPARE_MAX_RUNS}))`);
  }
  const payload: ComparePayload = { version: COMPARE_SCHEMA_VERSION, runs: picked.map(({ run, label }) => compareRunOf(run.snapshot, label)) };
  return new Comparison(payload, picked.map((p) => p.run));
}
