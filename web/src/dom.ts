// Small DOM helpers the playground's views share.

export const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

export function el(tag: string, cls: string): HTMLElement {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  return e;
}

export function button(text: string, cls: string, title: string): HTMLButtonElement {
  const b = el('button', cls) as HTMLButtonElement;
  b.type = 'button';
  b.textContent = text;
  b.title = title;
  return b;
}
