/**
 * What the health monitor writes to TensorBoard (`diagnostics: { tensorboard: 'logs/run1' }`):
 * every step the loss (`loss`), learning rate (`learning_rate`), batch metrics (`metrics/<name>`) and
 * global gradient norms (`gradient_norm/before_clip`, `gradient_norm/after_clip`); every epoch its
 * logs (`epoch/loss`, `epoch/val_loss`, `epoch/<metric>`, at the epoch's last step); every probe each
 * layer's `sensitivity_rms/<layer>`, `sensitivity_max/<layer>`, `weight_gradient_norm/<layer>` and
 * `update_ratio/<layer>`; and with each histogram sample `weights/<layer>`, `gradients/<layer>`,
 * `activations/<layer>` as TensorBoard histograms. A histogram's buckets are the run's fixed bins with
 * the underflow below the first edge and the overflow above the last (up to ±Number.MAX_VALUE); its
 * min, max, sum and sum of squares come from the buckets' edges and centres (the values themselves
 * are not kept), non-finite values are left out.
 */
import type { BatchEndInfo } from '../../training/observer';
import type { LayerRecorder } from '../layerRecorder';
import type { HistogramBuffer, HistogramKind } from '../histograms';
import { TensorBoardWriter } from './tensorboard';
import type { TbHistogram, TbValue } from './tfEvent';

/** A histogram sample as TensorBoard buckets (see the module comment), or undefined when empty. */
export function toTbHistogram(b: HistogramBuffer): TbHistogram | undefined {
  const e = b.binEdges;
  const s = b.latest;
  if (!e || !s) return undefined;
  const bins = e.length - 1;
  const bucketLimit = [e[0], ...e.slice(1), Number.MAX_VALUE];
  const bucket = [s.under, ...s.counts, s.over];
  // Value each bucket stands for: the first and last edge for the tails, else the bin's centre.
  const centre = (i: number) => (i === 0 ? e[0] : i === bins + 1 ? e[bins] : (e[i - 1] + e[i]) / 2);
  let num = 0, sum = 0, sq = 0, first = -1, last = -1;
  bucket.forEach((c, i) => {
    if (!c) return;
    num += c; sum += c * centre(i); sq += c * centre(i) ** 2;
    if (first < 0) first = i;
    last = i;
  });
  if (num === 0) return undefined;
  const lower = (i: number) => (i === 0 ? e[0] : e[i - 1]);
  const upper = (i: number) => (i === bins + 1 ? e[bins] : e[i]);
  return { min: lower(first), max: upper(last), num, sum, sumSquares: sq, bucketLimit, bucket };
}

/** Feeds one run's numbers to a {@link TensorBoardWriter}. */
export class TensorBoardExport {
  private readonly writer: TensorBoardWriter;
  private lastStep = 0;

  constructor(dir: string) {
    this.writer = new TensorBoardWriter(dir, 'gs.fit');
  }

  /** The event file written. */
  get file(): string {
    return this.writer.file;
  }

  step(step: number, info: BatchEndInfo): void {
    this.lastStep = step;
    const v: TbValue[] = [{ tag: 'loss', scalar: info.loss }, { tag: 'learning_rate', scalar: info.lr }];
    for (const [k, x] of Object.entries(info.metrics)) v.push({ tag: `metrics/${k}`, scalar: x });
    if (info.gradNormPreClip !== undefined) v.push({ tag: 'gradient_norm/before_clip', scalar: info.gradNormPreClip });
    if (info.gradNormPostClip !== undefined) v.push({ tag: 'gradient_norm/after_clip', scalar: info.gradNormPostClip });
    this.writer.write(step, v);
  }

  /** After a probe at `step`: the layers' latest measurements (those recorded at this step) and, when `histograms`, their samples. */
  probe(step: number, layers: LayerRecorder[], measuredBefore: Map<LayerRecorder, number>, histograms: boolean): void {
    const v: TbValue[] = [];
    for (const rec of layers) {
      const name = rec.layer.name;
      if (rec.sensitivityRms.length > (measuredBefore.get(rec) ?? 0)) {
        v.push({ tag: `sensitivity_rms/${name}`, scalar: rec.sensitivityRms.last }, { tag: `sensitivity_max/${name}`, scalar: rec.sensitivityMax.last });
      }
      if (rec.gradNorm.length && Number.isFinite(rec.gradNorm.last)) v.push({ tag: `weight_gradient_norm/${name}`, scalar: rec.gradNorm.last });
      if (rec.updateRatio.length && Number.isFinite(rec.updateRatio.last)) v.push({ tag: `update_ratio/${name}`, scalar: rec.updateRatio.last });
      if (histograms && rec.histograms) {
        for (const k of ['weights', 'gradients', 'activations'] as HistogramKind[]) {
          const b = rec.histograms.buffers[k];
          const h = b.latest?.step === step ? toTbHistogram(b) : undefined;
          if (h) v.push({ tag: `${k}/${name}`, histogram: h });
        }
      }
    }
    this.writer.write(step, v);
  }

  epoch(logs: Record<string, number>): void {
    this.writer.write(this.lastStep, Object.entries(logs).map(([k, x]) => ({ tag: `epoch/${k}`, scalar: x })));
  }

  async close(): Promise<void> {
    await this.writer.close();
  }
}
