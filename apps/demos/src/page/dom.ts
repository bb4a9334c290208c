type Child = Node | string | null | undefined | false;

/** Builds an HTML element: attributes (`class`, `for`, `aria-*`, `data-*` ...) and children in one call. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number | boolean | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) node.append(c);
  return node;
}

/** A labelled number input, the label above the field. */
export function numberField(
  id: string,
  label: string,
  value: number,
  attrs: Record<string, string | number> = {},
): { wrap: HTMLElement; input: HTMLInputElement } {
  const input = h('input', { id, type: 'number', value, inputmode: 'decimal', ...attrs });
  const wrap = h('div', { class: 'field' }, h('label', { for: id }, label), input);
  return { wrap, input };
}

/** The first element matching `selector` inside `root`; throws when the page is not built as expected. */
export function $<T extends Element = HTMLElement>(root: ParentNode, selector: string): T {
  const found = root.querySelector<T & Element>(selector);
  if (found === null) throw new Error(`the page has no ${selector}`);
  return found;
}
