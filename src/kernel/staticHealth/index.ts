/**
 * The static fallback of a health output: what the kernel stores next to
 * `application/vnd.gradscope.health+json` so that viewers without the Gradscope renderer show the
 * run. VS Code picks the panel (an extension's MIME type ranks before the built-in ones); Jupyter,
 * GitHub and nbconvert pick the SVG, terminals the text.
 */
import type { HealthSnapshot } from '../../protocol/health';
import { healthSvg } from './svg';
import { healthText } from './text';

export { healthSvg, SVG_MAX_BYTES } from './svg';
export { healthText, TEXT_MAX_CHARS } from './text';

/**
 * The output's `data`: the health JSON plus its SVG and text renderings. The fallback never keeps
 * the panel from being published: a snapshot it cannot draw (a partial one from an older or a
 * test producer) goes out with its JSON alone.
 * @example runtime.emit({ output_type: 'display_data', data: healthOutputData(HEALTH_MIME, snapshot), metadata: {} })
 */
export function healthOutputData(mime: string, s: HealthSnapshot): Record<string, unknown> {
  try {
    return { [mime]: s, 'image/svg+xml': healthSvg(s), 'text/plain': healthText(s) };
  } catch {
    return { [mime]: s };
  }
}
