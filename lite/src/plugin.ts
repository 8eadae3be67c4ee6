// The JupyterLab plugins that make the site Nabla's: the kernel (registered with IKernelSpecs), the
// language for the editors (IEditorLanguageRegistry, `text/x-nabla`), interrupts that reach the running
// cell, and a status-bar line naming the backend the session chose and why.
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { IEditorLanguageRegistry } from '@jupyterlab/codemirror';
import { IStatusBar } from '@jupyterlab/statusbar';
import { IKernelClient, IKernelSpecs } from '@jupyterlite/services';
import { LanguageSupport } from '@codemirror/language';
import { Widget } from '@lumino/widgets';
import type { BackendsReply } from '../../web/src/protocol';
import { KERNEL_NAME, NablaKernel } from './kernel';
import { NABLA_MIME, nablaLanguage } from './nabla-language';

// Written by lite/build.ts: the hashed worker file names, the builtin table's names, the version.
declare const __NABLA_SITE__: {
  sessionWorker: string;
  gpuWorker: string;
  builtins: string[];
  version: string;
  logo32: string;
  logo64: string;
};

/** Backend reports of every kernel started on this page, for the status bar. */
const backendListeners = new Set<(b: BackendsReply) => void>();
let lastBackend: BackendsReply | null = null;

const kernelPlugin: JupyterFrontEndPlugin<void> = {
  id: 'nabla-lite:kernel',
  description: 'The Nabla kernel, running the language in a Web Worker of this page.',
  autoStart: true,
  requires: [IKernelSpecs],
  activate: (_app: JupyterFrontEnd, specs: IKernelSpecs) => {
    const here = import.meta.url;
    const workers = {
      session: new URL(__NABLA_SITE__.sessionWorker, here),
      gpu: new URL(__NABLA_SITE__.gpuWorker, here),
    };
    specs.register({
      spec: {
        name: KERNEL_NAME,
        display_name: 'Nabla',
        language: 'nabla',
        argv: [],
        resources: {
          'logo-32x32': new URL(__NABLA_SITE__.logo32, here).href,
          'logo-64x64': new URL(__NABLA_SITE__.logo64, here).href,
        },
      },
      create: async (options) =>
        new NablaKernel({
          ...options,
          workers,
          version: __NABLA_SITE__.version,
          onBackend: (b) => {
            lastBackend = b;
            for (const l of backendListeners) l(b);
          },
        }),
    });
  },
};

const languagePlugin: JupyterFrontEndPlugin<void> = {
  id: 'nabla-lite:language',
  description: 'Nabla highlighting (text/x-nabla), generated from the grammar.',
  autoStart: true,
  requires: [IEditorLanguageRegistry],
  activate: (_app: JupyterFrontEnd, languages: IEditorLanguageRegistry) => {
    languages.addLanguage({
      name: 'nabla',
      displayName: 'Nabla',
      mime: NABLA_MIME,
      extensions: ['nabla'],
      support: new LanguageSupport(nablaLanguage(__NABLA_SITE__.builtins)),
    });
  },
};

/**
 * JupyterLite's kernel client only drops queued cells on an interrupt: it never tells the kernel. This passes
 * the interrupt on to the running Nabla kernel too, which stops its cell through shared memory.
 */
const interruptPlugin: JupyterFrontEndPlugin<void> = {
  id: 'nabla-lite:interrupt',
  description: 'Interrupt reaches the running Nabla cell.',
  autoStart: true,
  requires: [IKernelClient],
  activate: (_app: JupyterFrontEnd, client: IKernelClient) => {
    const drop = client.interrupt.bind(client);
    client.interrupt = async (id: string) => {
      const kernel = await client.getModel(id);
      if (kernel instanceof NablaKernel) kernel.interrupt();
      return drop(id);
    };
  },
};

const backendPlugin: JupyterFrontEndPlugin<void> = {
  id: 'nabla-lite:backend-status',
  description: "Shows the Nabla session's backend and why it was chosen.",
  autoStart: true,
  optional: [IStatusBar],
  activate: (_app: JupyterFrontEnd, statusBar: IStatusBar | null) => {
    if (!statusBar) return;
    const widget = new Widget();
    widget.addClass('nabla-backend-status');
    const show = (b: BackendsReply) => {
      widget.node.textContent = `Nabla: ${b.report.chosen}`;
      const skipped = b.report.skipped.map((s) => `${s.name}: ${s.why}`).join('\n');
      widget.node.title = `${b.report.chosen}: ${b.report.why}${skipped ? `\nnot chosen:\n${skipped}` : ''}`;
    };
    backendListeners.add(show);
    if (lastBackend) show(lastBackend);
    statusBar.registerStatusItem('nabla-lite:backend-status', { item: widget, align: 'left', rank: 10 });
  },
};

export default [kernelPlugin, languagePlugin, interruptPlugin, backendPlugin];
