// The backend panel: the select box, the list of backends with why each is (un)available (the runtime's
// probes, from the session worker), and what this browser itself offers (capabilities.ts).
import type { BackendReport } from '../../runtime';
import type { BackendStatus } from './backends';
import { browserCapabilities } from './capabilities';
import { $, el } from './dom';
import type { BackendChoice } from './notebook-view';
import type { SessionClient } from './session-client';
import { setStatus } from './status';

export class BackendPanel implements BackendChoice {
  choice: string | null = null;
  statuses: BackendStatus[] = [];
  /** The session worker's last word on the backend it runs. */
  report: BackendReport | null = null;
  private capabilities = '';
  private readonly browserOffer: Record<string, string> = {};

  constructor(
    private readonly client: SessionClient,
    /** The choice changed (the notebook saves it). */
    private readonly changed: () => void,
  ) {}

  get chosen(): string | null {
    return this.report?.chosen ?? null;
  }

  async apply(name: string, announce = true): Promise<boolean> {
    try {
      const r = await this.client.call('select', { name });
      this.report = r;
      this.choice = name === 'auto' ? null : name;
      ($('backend') as HTMLSelectElement).value = name;
      this.render();
      if (announce) setStatus(`Backend: ${r.chosen}.`);
      this.changed();
      return true;
    } catch (e) {
      setStatus(`Cannot switch backend: ${(e as Error).message}`);
      ($('backend') as HTMLSelectElement).value = this.choice ?? 'auto';
      return false;
    }
  }

  async renderSelect(): Promise<void> {
    const b = await this.client.call('backends', {});
    this.statuses = b.statuses;
    this.report = b.report;
    const select = $('backend') as HTMLSelectElement;
    const auto = document.createElement('option');
    auto.value = 'auto';
    auto.textContent = 'auto (best available)';
    select.replaceChildren(auto);
    for (const s of this.statuses) {
      const o = document.createElement('option');
      o.value = s.name;
      o.textContent = s.usable ? s.name : `${s.name} (unavailable)`;
      o.disabled = !s.usable;
      if (s.why) o.title = s.why;
      select.append(o);
    }
    select.value = this.choice ?? 'auto';
  }

  render(): void {
    const r = this.report;
    if (!r) return;
    $('backend-current').textContent = `${r.chosen}`;
    $('backend-current').title = r.why;
    const list = $('backend-list');
    list.replaceChildren(
      ...this.statuses.map((s) => {
        const li = el('li', s.usable ? 'usable' : 'unavailable');
        li.dataset.backend = s.name;
        const name = el('b', '');
        name.textContent = s.name;
        const what = el('span', '');
        const passed = r.skipped.find((k) => k.name === s.name);
        what.textContent = !s.usable
          ? ` — unavailable: ${s.why}`
          : s.name === r.chosen
            ? ' — running'
            : passed
              ? ` — available, not chosen automatically: ${passed.why}`
              : ' — available';
        li.append(name, what);
        // The runtime's reason is about Nabla; say too what this browser would offer such a backend.
        const offer = !s.usable && this.browserOffer[s.name];
        if (offer) {
          const note = el('div', 'offer');
          note.textContent = `this browser offers ${offer}`;
          li.append(note);
        }
        return li;
      }),
    );
    $('browser-caps').textContent = this.capabilities;
  }

  /** Asks the browser what it offers (asynchronously: a WebGPU adapter takes a moment), then shows it. */
  probeBrowser(): void {
    void browserCapabilities().then((c) => {
      this.capabilities = `This browser offers — WebGPU: ${c.webgpu}; WebGL2: ${c.webgl2}; ${c.wasm}.`;
      if (c.webgpu.startsWith('adapter:')) this.browserOffer.webgpu = `a WebGPU ${c.webgpu}`;
      if (c.webgl2.startsWith('renderer:')) this.browserOffer.webgl2 = 'WebGL2';
      this.render();
    });
  }
}
