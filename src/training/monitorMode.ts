/**
 * How the monitoring callbacks (early stopping, plateau scheduling) compare a metric with its best
 * value so far, as Keras: in 'min' mode `current < best − minDelta`, in 'max' mode
 * `current > best + minDelta`; 'auto' means 'max' for metrics whose name contains 'acc'.
 */

/** Direction of improvement of a monitored metric. */
export type Mode = 'min' | 'max' | 'auto';

/** Resolves 'auto' and rejects unknown modes. */
export function monitorMode(monitor: string, mode: Mode, who: string): 'min' | 'max' {
  if (mode === 'min' || mode === 'max') return mode;
  if (mode !== 'auto') throw new Error(`gs.callbacks.${who}: \`mode\` must be 'min', 'max' or 'auto', got ${String(mode)}`);
  return monitor.includes('acc') ? 'max' : 'min';
}

/** True when `current` improves on `best` by more than `minDelta` (≥ 0) in the given direction. */
export function improves(current: number, best: number, minDelta: number, mode: 'min' | 'max'): boolean {
  return mode === 'min' ? current < best - minDelta : current > best + minDelta;
}
