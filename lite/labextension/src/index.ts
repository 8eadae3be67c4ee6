// The desktop JupyterLab extension: the same Nabla language as the JupyterLite site (lite/src/nabla-language.ts,
// generated from grammar/), registered as `text/x-nabla`. The ZMQ kernel names `julia` as its CodeMirror mode,
// so that a JupyterLab without this extension still colours Nabla sensibly; with the extension, an editor
// whose kernel language is nabla (notebook cells, consoles) gets Nabla's own highlighting instead.
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { IEditorServices } from '@jupyterlab/codeeditor';
import { IEditorLanguageRegistry } from '@jupyterlab/codemirror';
import { LanguageSupport } from '@codemirror/language';
import { NABLA_MIME, nablaLanguage } from '../../src/nabla-language';

declare const __NABLA_BUILTINS__: string[];

const plugin: JupyterFrontEndPlugin<void> = {
  id: 'nabla-jupyterlab:language',
  description: 'Nabla highlighting (text/x-nabla), generated from the grammar.',
  autoStart: true,
  requires: [IEditorLanguageRegistry, IEditorServices],
  activate: (_app: JupyterFrontEnd, languages: IEditorLanguageRegistry, services: IEditorServices) => {
    languages.addLanguage({
      name: 'nabla',
      displayName: 'Nabla',
      mime: NABLA_MIME,
      extensions: ['nabla'],
      support: new LanguageSupport(nablaLanguage(__NABLA_BUILTINS__)),
    });
    // the kernel's language_info names the language nabla (and julia as the fallback mode): Nabla wins here
    const mimeTypes = services.mimeTypeService;
    const byLanguage = mimeTypes.getMimeTypeByLanguage.bind(mimeTypes);
    mimeTypes.getMimeTypeByLanguage = (info) => (info.name === 'nabla' ? NABLA_MIME : byLanguage(info));
  },
};

export default plugin;
