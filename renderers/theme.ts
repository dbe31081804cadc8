/**
 * Colours and fonts read from VS Code's CSS variables, which the notebook webview sets on its root
 * for the current theme (light, dark, high contrast). Re-read whenever the body's theme class changes.
 */

/** Resolved theme values handed to the charts (canvas needs concrete colours, not `var(--x)`). */
export interface Theme {
  fg: string;
  muted: string;
  grid: string;
  bg: string;
  font: string;
  fontSize: number;
  red: string;
  blue: string;
  yellow: string;
  orange: string;
  green: string;
  purple: string;
  /** Dark background: decides the lightness of the per-layer colour ramp. */
  dark: boolean;
  highContrast: boolean;
}

function cssVar(style: CSSStyleDeclaration, name: string, fallback: string): string {
  return style.getPropertyValue(name).trim() || fallback;
}

/**
 * Reads the theme from the document's computed style.
 * @example const theme = readTheme(); chart.options.color = theme.fg;
 */
export function readTheme(): Theme {
  const body = document.body;
  const style = getComputedStyle(document.documentElement);
  const cls = body.classList;
  const highContrast = cls.contains('vscode-high-contrast') || cls.contains('vscode-high-contrast-light');
  const dark = cls.contains('vscode-dark') || (cls.contains('vscode-high-contrast') && !cls.contains('vscode-high-contrast-light'));
  const fg = cssVar(style, '--vscode-editor-foreground', dark ? '#cccccc' : '#333333');
  return {
    fg,
    muted: cssVar(style, '--vscode-descriptionForeground', dark ? '#a0a0a0' : '#666666'),
    grid: highContrast ? fg : cssVar(style, '--vscode-charts-lines', dark ? 'rgba(204,204,204,0.2)' : 'rgba(51,51,51,0.15)'),
    bg: cssVar(style, '--vscode-editor-background', dark ? '#1e1e1e' : '#ffffff'),
    font: cssVar(style, '--vscode-font-family', 'system-ui, sans-serif'),
    fontSize: parseFloat(cssVar(style, '--vscode-font-size', '12')) || 12,
    red: cssVar(style, '--vscode-charts-red', '#f14c4c'),
    blue: cssVar(style, '--vscode-charts-blue', '#3794ff'),
    yellow: cssVar(style, '--vscode-charts-yellow', '#cca700'),
    orange: cssVar(style, '--vscode-charts-orange', '#d18616'),
    green: cssVar(style, '--vscode-charts-green', '#89d185'),
    purple: cssVar(style, '--vscode-charts-purple', '#b180d7'),
    dark,
    highContrast,
  };
}

/**
 * Colour of layer `i` of `n`: a hue ramp from blue (input side) to orange (output side), so depth is
 * readable without a 50-entry legend.
 */
export function layerColor(theme: Theme, i: number, n: number): string {
  const t = n <= 1 ? 1 : i / (n - 1);
  const hue = Math.round(220 - 190 * t);
  return `hsl(${hue}, ${theme.highContrast ? 100 : 70}%, ${theme.dark ? 62 : 42}%)`;
}

/** Adds transparency to a CSS colour (hex or rgb/hsl) for band fills. */
export function withAlpha(color: string, alpha: number): string {
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(color);
  if (hex) {
    let h = hex[1];
    if (h.length === 3) h = h.split('').map((c) => c + c).join('');
    const n = parseInt(h, 16);
    return `rgba(${n >> 16}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
  }
  return `color-mix(in srgb, ${color} ${Math.round(alpha * 100)}%, transparent)`;
}

/**
 * Calls `onChange` when VS Code switches theme (it swaps the body class). Returns a disposer.
 */
export function watchTheme(onChange: () => void): () => void {
  const obs = new MutationObserver(() => onChange());
  obs.observe(document.body, { attributes: true, attributeFilter: ['class'] });
  return () => obs.disconnect();
}
