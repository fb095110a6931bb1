/// <reference lib="dom" />

const SVG_NS = 'http://www.w3.org/2000/svg';

/** A new SVG element with attributes; text only through `textContent`, never markup. */
export function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | number> = {},
  text?: string,
): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  if (text !== undefined) element.textContent = text;
  return element;
}

/** Empties an element. */
export function clear(element: Element): void {
  element.replaceChildren();
}
