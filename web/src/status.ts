// The status line under the toolbar: one sentence about what just happened, with an optional action
// (Undo after a notebook was replaced).
import { $, button } from './dom';

export interface StatusAction {
  label: string;
  cls: string;
  title: string;
  run(): void;
}

export function setStatus(text: string, action?: StatusAction): void {
  const s = $('status');
  s.textContent = text;
  if (action) {
    const b = button(action.label, action.cls, action.title);
    b.addEventListener('click', () => action.run());
    s.append(' ', b);
  }
}
