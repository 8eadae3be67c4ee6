// The desktop JupyterLab extension: the same Nabla language as the JupyterLite site (lite/src/nabla-language.ts,
// generated from grammar/), registered as `text/x-nabla`. The ZMQ kernel names `julia` as its CodeMirror mode
// (so a JupyterLab without this extension still colours Nabla sensibly); with the extension, a notebook whose
// kernel language is nabla switches its cells to Nabla's own highlighting.
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { IEditorLanguageRegistry } from '@jupyterlab/codemirror';
import { INotebookTracker } from '@jupyterlab/notebook';
import { LanguageSupport } from '@codemirror/language';
import { NABLA_MIME, nablaLanguage } from '../../src/nabla-language';

declare const __NABLA_BUILTINS__: string[];

const plugin: JupyterFrontEndPlugin<void> = {
  id: 'nabla-jupyterlab:language',
  description: 'Nabla highlighting (text/x-nabla), generated from the grammar.',
  autoStart: true,
  requires: [IEditorLanguageRegistry],
  optional: [INotebookTracker],
  activate: (_app: JupyterFrontEnd, languages: IEditorLanguageRegistry, notebooks: INotebookTracker | null) => {
    languages.addLanguage({ name: 'nabla', displayName: 'Nabla', mime: NABLA_MIME, extensions: ['nabla'], support: new LanguageSupport(nablaLanguage(__NABLA_BUILTINS__)) });
    notebooks?.widgetAdded.connect((_, panel) => {
      const apply = () => {
        const info = panel.model?.getMetadata('language_info') as { name?: string } | undefined;
        if (info?.name === 'nabla' && panel.content.codeMimetype !== NABLA_MIME) panel.content.codeMimetype = NABLA_MIME;
      };
      panel.model?.metadataChanged.connect(apply);
      panel.sessionContext.ready.then(apply, () => undefined);
      apply();
    });
  },
};

export default plugin;
