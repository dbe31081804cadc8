/**
 * The monitor's probing piece: the probe batch of the run, the weights copied before a probed step,
 * and the probe itself (sensitivities, saturation, batch norm, the step's gradient norms and update
 * ratios) recorded into the layers' series. A probe that fails (an unusual layer) turns probing off
 * for the run with one warning: it must not stop training.
 */
import * as tf from '@tensorflow/tfjs';
import type { LossFn } from '../training/observer';
import { LayerRecorder, WeightSnapshot, gradNormOf } from './layerRecorder';
import { probeModel } from './probe';
import { LayerHistogramSet } from './histograms';
import type { ProbeBatch } from './probeBatch';

/** Options of {@link Prober}. */
export interface ProberArgs {
  /** Forward pass in training mode (dropout active). */
  training: boolean;
  /** Keep histograms of weights and activations, taken at the probes the monitor asks (it takes the gradients'). Defaults to false. */
  histograms?: boolean;
}

/** Probes one model on one fixed batch. */
export class Prober {
  private weights?: WeightSnapshot;
  private failed = false;

  /**
   * @param model the model trained
   * @param layers the recorders of its layers with weights
   * @param batch the run's probe batch (owned from now on: {@link dispose} frees what the draw made)
   * @param loss the compiled loss the probe differentiates (one per model output, summed)
   */
  constructor(
    readonly model: tf.LayersModel, readonly layers: LayerRecorder[], public batch: ProbeBatch, public loss: LossFn | LossFn[], private readonly args: ProberArgs,
  ) {
    if (args.histograms) for (const rec of layers) rec.histograms = new LayerHistogramSet();
  }

  /** False once a probe failed (probing is off for the rest of the run). */
  get active(): boolean {
    return !this.failed;
  }

  /** Copies the weights before a probed step (the update ratio compares them after it). */
  beforeStep(): void {
    this.weights?.dispose();
    this.weights = WeightSnapshot.take(this.layers);
  }

  /** True between {@link beforeStep} and {@link afterStep}. */
  get armed(): boolean {
    return this.weights !== undefined;
  }

  /**
   * After the probed step: update ratios, then the probe. The weight-gradient norms are the training
   * step's own when gs.fit measured them (`squares`, by variable name), so the probe skips every
   * ∂L/∂W product; otherwise the probe measures them on its batch.
   */
  afterStep(step: number, squares?: ReadonlyMap<string, number>, histograms = false): void {
    const w = this.weights;
    this.weights = undefined;
    if (!w) return;
    w.finish(step);
    try {
      const byLayer = new Map(this.layers.map((r) => [r.layer, r]));
      const onActivations = this.args.histograms && histograms
        ? (layer: tf.layers.Layer, acts: tf.Tensor[]) => byLayer.get(layer)?.histograms?.buffers.activations.add(step, acts.map((a, i) => [String(i), a]))
        : undefined;
      const result = probeModel(this.model, this.batch.x, this.batch.y, this.loss, { training: this.args.training, weightGrads: !squares, onActivations });
      const byName = new Map(result.layers.map((l) => [l.layer, l]));
      for (const rec of this.layers) {
        const p = byName.get(rec.layer.name);
        if (p && squares) p.gradNorm = gradNormOf(rec.layer, squares);
        if (p) rec.record(step, p);
        if (histograms) rec.histograms?.buffers.weights.add(step, rec.layer.trainableWeights.map((v) => [v.name, v.read()]));
      }
    } catch (e) {
      this.failed = true;
      console.warn(`gradscope diagnostics: the per-layer probe failed and is turned off for this run: ${(e as Error).message}`);
    }
  }

  /** Frees the weight copies and the tensors the probe batch's draw made. */
  dispose(): void {
    this.weights?.dispose();
    this.weights = undefined;
    tf.dispose(this.batch.owned);
    this.batch = { ...this.batch, owned: [] };
  }
}
