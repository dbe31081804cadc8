/**
 * Short explanations of the finding codes, opened from a diagnostic's code link (a read-only
 * document of scheme {@link EXPLANATION_SCHEME}). Each says what was measured, why it hurts training
 * and what the fixes do (Géron, Hands-On ML ch. 11). The quick fixes a finding offers are listed
 * under it with the fix catalogue's titles and details, so the document names them as the lenses do.
 */
import { fixInfo, fixTitle } from '../protocol/fixCatalogue';
import type { FindingCode } from '../protocol/health';

/** URI scheme of the explanation documents: `gradscope-finding:/<code>.md`. */
export const EXPLANATION_SCHEME = 'gradscope-finding';

/** Markdown explanation of each finding code. */
export const EXPLANATIONS: Record<FindingCode, string> = {
  'vanishing-gradient': `# Vanishing gradients
The sensitivity s = ∂L/∂n (gradient of the loss with respect to a layer's net input) shrinks as it is
back-propagated: s^k = s^{k+1} (W^{k+1})ᵀ F'(n^k). With saturating activations (sigmoid: F' ≤ 0.25) or an
initialization that does not match the activation, each layer can multiply it by a factor below 1, so the
first layers barely learn.

Fixes: a non-saturating activation with a matching initialization (ReLU + He, SELU + LeCun normal),
batch normalization after the layers, or fewer layers.`,
  'exploding-gradient': `# Exploding gradients
The global gradient norm grows by orders of magnitude (or becomes inf/NaN): updates are too large and the
weights diverge. Common in deep or recurrent networks and with a too-high learning rate.

Fixes: gradient clipping (\`clipnorm\` per tensor, \`globalClipnorm\` for all gradients together, which keeps
the direction), a lower learning rate, batch normalization.`,
  'nan-loss': `# NaN loss
The loss became NaN or infinite: usually a diverging update (learning rate too high, exploding gradients)
or an invalid operation (log of 0, division by 0) in the loss or the data.

Fixes: clip gradients, divide the learning rate by 10, check the inputs for NaN.`,
  'dead-relu': `# Dying ReLUs
A ReLU unit whose net input is negative for every sample outputs 0 and gets a zero gradient: it stops
learning and usually never comes back. A large fraction of dead units wastes the layer.

Fixes: LeakyReLU (α = 0.2), ELU or SELU (non-zero gradient for negative inputs), a lower learning rate,
He initialization.`,
  'saturated-sigmoid': `# Saturated sigmoid units
Most activations are near 0 or 1 (a < 0.01 or a > 0.99), where the sigmoid's derivative a(1 − a) is almost
0: gradients vanish through the layer.

Fixes: ReLU with He initialization or SELU with LeCun initialization in the hidden layers, batch
normalization.`,
  'saturated-tanh': `# Saturated tanh units
Most activations have |a| > 0.99, where tanh' = 1 − a² is almost 0: gradients vanish through the layer.

Fixes: ReLU with He initialization or SELU with LeCun initialization, batch normalization.`,
  'selu-not-normalizing': `# SELU is not self-normalizing
A SELU network keeps each layer's output near mean 0 and standard deviation 1 only with LeCun-normal
initialization, standardized inputs, a plain stack of dense layers and alpha dropout (Klambauer et al. 2017).
Here a layer's output mean or standard deviation drifted far from 0 / 1.

Fixes: \`kernelInitializer: gs.layers.leCunNormal()\` (std exactly 1/√fan_in; tfjs's 'leCunNormal' string gives 0.88/√fan_in), \`alphaDropout\` instead of \`dropout\`, standardize the inputs.`,
  'lr-too-high': `# Learning rate too high
The loss rises or oscillates from the start: each step overshoots the minimum.

Fixes: divide the learning rate by 10, or use a schedule that starts high and decays
(\`gs.schedules.exponential\`).`,
  'lr-too-low': `# Learning rate too low
The loss is almost flat and the updates are tiny compared with the weights (‖ΔW‖/‖W‖ far below 1e-3).

Fixes: raise the learning rate (try ×10), or a one-cycle schedule.`,
  plateau: `# Plateau
The monitored loss stopped improving for several epochs.

Fixes: reduce the learning rate on plateau (\`gs.callbacks.reduceLROnPlateau\`, ×0.5 after 5 epochs), an
exponential schedule.`,
  overfitting: `# Overfitting
The validation loss rises while the training loss still falls: the model learns the training set's noise.

Fixes: early stopping with the best weights restored, dropout (rate 0.2–0.5) in the top hidden layers,
more data or a smaller model.`,
  'frozen-all': `# Nothing to train
Every layer is frozen (\`trainable: false\`): training cannot change the model.

Fix: unfreeze the top layers and fine-tune them at a lower learning rate (\`gs.transfer.fineTune\`).`,
};

/**
 * The explanation of a finding code, with a fallback for codes newer than this extension, followed by
 * the quick fixes the finding offers (`fixes`, most recommended first; ids this build does not know are
 * left out).
 */
export function explanationOf(code: string, fixes: readonly string[] = []): string {
  const text = (EXPLANATIONS as Record<string, string>)[code] ?? `# ${code}\nNo explanation is available for this finding yet.`;
  const known = fixes.filter((id) => fixInfo(id));
  if (!known.length) return text;
  return `${text}\n\n## Quick fixes offered\n${known.map((id) => `- **${fixTitle(id)}**: ${fixInfo(id)!.detail}.`).join('\n')}\n`;
}

/** The address of a finding's explanation document, listing the fixes it offers. */
export function explanationPath(code: string, fixes: readonly string[]): { path: string; query: string } {
  return { path: `/${code}.md`, query: fixes.length ? `fixes=${fixes.map(encodeURIComponent).join(',')}` : '' };
}

/** The finding code and fix ids of an explanation document's address (see {@link explanationPath}). */
export function parseExplanationPath(path: string, query: string): { code: string; fixes: string[] } {
  const fixes = /(?:^|&)fixes=([^&]*)/.exec(query)?.[1];
  return { code: path.replace(/^\//, '').replace(/\.md$/, ''), fixes: fixes ? fixes.split(',').map(decodeURIComponent) : [] };
}
