/**
 * The panel's stylesheet, injected once per webview document. Everything is expressed in VS Code
 * theme variables so light, dark and high-contrast themes work without JavaScript.
 */
const CSS = `
.gs-panel { color: var(--vscode-editor-foreground); font-family: var(--vscode-font-family); font-size: var(--vscode-font-size, 13px); max-width: 100%; }
.gs-panel button { font: inherit; color: var(--vscode-button-secondaryForeground, inherit); background: var(--vscode-button-secondaryBackground, transparent); border: 1px solid var(--vscode-contrastBorder, var(--vscode-widget-border, transparent)); border-radius: 2px; padding: 1px 8px; cursor: pointer; }
.gs-panel button:hover { background: var(--vscode-button-secondaryHoverBackground, rgba(128,128,128,.2)); }
.gs-panel button:focus-visible { outline: 1px solid var(--vscode-focusBorder, #007fd4); outline-offset: 1px; }
.gs-panel button[aria-pressed="true"] { background: var(--vscode-button-background, #0e639c); color: var(--vscode-button-foreground, #fff); }
.gs-header { display: flex; flex-wrap: wrap; gap: 4px 16px; align-items: center; margin-bottom: 6px; }
.gs-status { font-weight: 600; text-transform: uppercase; letter-spacing: .04em; }
.gs-status-failed { color: var(--vscode-errorForeground, #f14c4c); }
.gs-progress { width: 140px; height: 6px; background: var(--vscode-progressBar-background, #0e70c0); background: var(--vscode-input-background, rgba(128,128,128,.25)); border: 1px solid var(--vscode-contrastBorder, transparent); display: inline-block; vertical-align: middle; }
.gs-progress > div { height: 100%; background: var(--vscode-progressBar-background, #0e70c0); }
.gs-muted { color: var(--vscode-descriptionForeground); }
.gs-error-text { color: var(--vscode-errorForeground, #f14c4c); white-space: pre-wrap; }
.gs-findings { display: flex; flex-direction: column; gap: 4px; margin: 6px 0; }
.gs-badge { text-align: left; border-left-width: 4px !important; }
.gs-badge.gs-sev-error { border-color: var(--vscode-editorError-foreground, #f14c4c) !important; }
.gs-badge.gs-sev-warning { border-color: var(--vscode-editorWarning-foreground, #cca700) !important; }
.gs-badge.gs-sev-info { border-color: var(--vscode-editorInfo-foreground, #3794ff) !important; }
.gs-finding-detail { margin: 2px 0 6px 18px; }
.gs-finding-detail table { border-collapse: collapse; }
.gs-section { border-top: 1px solid var(--vscode-widget-border, rgba(128,128,128,.35)); padding: 6px 0; }
.gs-section-head { display: flex; align-items: center; gap: 8px; margin-bottom: 4px; }
.gs-section-head h3 { margin: 0; font-size: 1em; font-weight: 600; flex: 1; }
.gs-chart { position: relative; height: 220px; width: 100%; }
.gs-chart-small { height: 160px; }
.gs-heatmap { width: 100%; display: block; }
.gs-table-wrap { max-height: 260px; overflow: auto; }
.gs-table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
.gs-table th, .gs-table td { padding: 1px 8px; text-align: right; border-bottom: 1px solid var(--vscode-widget-border, rgba(128,128,128,.25)); }
.gs-table th:first-child, .gs-table td:first-child { text-align: left; }
.gs-note { font-size: .9em; color: var(--vscode-descriptionForeground); margin: 2px 0; }
.gs-sat-rows { display: grid; grid-template-columns: minmax(80px, max-content) auto 124px auto; gap: 1px 10px; align-items: center; margin-top: 4px; }
.gs-sat-rows .gs-layer-name { max-width: 16em; }
.gs-stack { display: flex; flex-direction: column; gap: 2px; max-width: 640px; }
.gs-layer { display: grid; grid-template-columns: 7.5em minmax(0, 1fr) auto; gap: 8px; align-items: center; padding: 2px 8px; border: 1px solid var(--vscode-widget-border, rgba(128,128,128,.45)); }
.gs-layer-frozen { background: repeating-linear-gradient(135deg, transparent 0 6px, rgba(128,128,128,.22) 6px 8px); border-style: dashed; }
.gs-layer-trainable { border-left: 4px solid var(--vscode-charts-green, #89d185); }
.gs-layer-name { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.gs-base { border: 1px dashed var(--vscode-descriptionForeground, #888); padding: 4px; display: flex; flex-direction: column; gap: 2px; }
.gs-base-label { font-size: .9em; color: var(--vscode-descriptionForeground); }
.gs-table-virtual tr { height: 20px; white-space: nowrap; }
.gs-table-virtual tr.gs-spacer { height: auto; }
.gs-tooltip { position: absolute; z-index: 2; pointer-events: none; white-space: nowrap; font-size: .9em; padding: 3px 6px; color: var(--vscode-editorHoverWidget-foreground, var(--vscode-editor-foreground)); background: var(--vscode-editorHoverWidget-background, var(--vscode-editor-background)); border: 1px solid var(--vscode-editorHoverWidget-border, var(--vscode-widget-border, rgba(128,128,128,.45))); }
.gs-tooltip-title { font-weight: 600; }
.gs-finding-id { font-family: var(--vscode-editor-font-family, monospace); font-size: .95em; }
.gs-bn-rows { display: grid; grid-template-columns: minmax(80px, 16em) auto auto auto auto; gap: 1px 14px; align-items: center; font-variant-numeric: tabular-nums; }
.gs-bn-row { display: contents; }
.gs-bn-head > span { font-weight: 600; }
.gs-layer-input, .gs-layer-weightless { border-style: dotted; }
.gs-swatch { display: inline-block; width: 10px; height: 10px; margin-right: 4px; vertical-align: middle; }
`;

/**
 * Adds the stylesheet where `host` lives: its shadow root when it has one (styles in the document
 * head do not reach into shadow DOM), else the document head. Once per root.
 */
export function ensureStyles(host: HTMLElement): void {
  const root = host.getRootNode();
  const target: ParentNode = root instanceof ShadowRoot ? root : host.ownerDocument.head;
  if (target.querySelector('#gradscope-health-styles')) return;
  const style = host.ownerDocument.createElement('style');
  style.id = 'gradscope-health-styles';
  style.textContent = CSS;
  target.appendChild(style);
}
