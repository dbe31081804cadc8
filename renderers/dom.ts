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
