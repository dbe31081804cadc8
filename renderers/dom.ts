/**
 * DOM building without HTML parsing: every string ends up in a Text node or an attribute set through
 * `setAttribute`, so names coming from the payload (layer names, messages) can never become markup.
 */

/** Properties {@link el} applies to a new element. */
export interface ElProps {
  class?: string;
  /** Plain text content (set via a Text node, never parsed). */
  text?: string;
  title?: string;
  attrs?: Record<string, string>;
}

/** Child accepted by {@link el}: strings become Text nodes; null/undefined/false are skipped. */
export type Child = Node | string | null | undefined | false;

/**
 * Creates an element safely.
 * @example el('span', { class: 'badge', text: layer.name })
 */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K, props: ElProps = {}, ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (props.class) node.className = props.class;
  if (props.title !== undefined) node.title = props.title;
  if (props.attrs) for (const [k, v] of Object.entries(props.attrs)) node.setAttribute(k, v);
  if (props.text !== undefined) node.append(document.createTextNode(props.text));
  append(node, children);
  return node;
}

/** Appends children (strings as Text nodes). */
export function append(parent: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    parent.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
  }
}

/** Replaces all children of `parent`. */
export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

/** Sets text only when it changed, so live updates do not touch unchanged nodes. */
export function setText(node: HTMLElement, text: string): void {
  if (node.textContent !== text) node.textContent = text;
}

/**
 * A toggle button (a real `<button>` with `aria-pressed`), keyboard accessible by construction.
 * @example toggleButton('Table', false, (on) => table.hidden = !on)
 */
export function toggleButton(label: string, pressed: boolean, onToggle: (pressed: boolean) => void): HTMLButtonElement {
  const b = el('button', { class: 'gs-toggle', text: label, attrs: { type: 'button', 'aria-pressed': String(pressed) } });
  b.addEventListener('click', () => {
    const next = b.getAttribute('aria-pressed') !== 'true';
    b.setAttribute('aria-pressed', String(next));
    onToggle(next);
  });
  return b;
}

/**
 * Sizes `canvas` to `width` × `height` CSS pixels at the screen's pixel density and returns its cleared
 * 2D context, scaled so drawing code works in CSS pixels. `setWidth` also fixes the CSS width (a
 * canvas that does not fill its container).
 */
export function hiDpiContext(canvas: HTMLCanvasElement, width: number, height: number, setWidth = false): CanvasRenderingContext2D {
  const dpr = window.devicePixelRatio || 1;
  canvas.width = Math.round(width * dpr);
  canvas.height = Math.round(height * dpr);
  if (setWidth) canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  const ctx = canvas.getContext('2d')!;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, width, height);
  return ctx;
}
