/**
 * What the health monitor writes to TensorBoard (`diagnostics: { tensorboard: 'logs/run1' }`):
 * every step the loss (`loss`), learning rate (`learning_rate`), batch metrics (`metrics/<name>`) and
 * global gradient norms (`gradient_norm/before_clip`, `gradient_norm/after_clip`); every epoch its
 * logs (`epoch/loss`, `epoch/val_loss`, `epoch/<metric>`, at the epoch's last step); every probe each
 * layer's `sensitivity_rms/<layer>`, `sensitivity_max/<layer>`, `weight_gradient_norm/<layer>` and
 * `update_ratio/<layer>`; and with each histogram sample `weights/<layer>`, `gradients/<layer>`,
 * `activations/<layer>` as TensorBoard histograms. A histogram's buckets are the run's fixed bins with
 * the underflow below the first edge and the overflow above the last (up to ±Number.MAX_VALUE); its
 * count, min, max, sum and sum of squares are exact, of the sample's finite values (computed when it is
 * taken, in float64); non-finite values are left out.
 */
import type { BatchEndInfo } from '../../training/observer';
import type { LayerRecorder } from '../layerRecorder';
import type { HistogramBuffer, HistogramKind } from '../histograms';
import { TensorBoardWriter } from './tensorboard';
import type { TbHistogram, TbValue } from './tfEvent';

/** A histogram sample as TensorBoard buckets with its exact statistics (see the module comment), or undefined when it has no finite value. */
export function toTbHistogram(b: HistogramBuffer): TbHistogram | undefined {
  const e = b.binEdges;
  const s = b.latest;
  if (!e || !s || s.stats.num === 0) return undefined;
  const bucketLimit = [e[0], ...e.slice(1), Number.MAX_VALUE];
  const bucket = [s.under, ...s.counts, s.over];
  const { num, min, max, sum, sumSquares } = s.stats;
  return { min, max, num, sum, sumSquares, bucketLimit, bucket };
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
