// How a cell's Monaco editor looks and behaves: sized to its content (no inner scrolling), line numbers for
// code, wrapped lines for text.
import type * as monaco from 'monaco-editor/editor';
import type { Cell } from './notebook';

export function cellEditorOptions(
  cell: Cell,
  model: monaco.editor.ITextModel,
): monaco.editor.IStandaloneEditorConstructionOptions {
  return {
    model,
    theme: 'nabla-light',
    minimap: { enabled: false },
    scrollBeyondLastLine: false,
    automaticLayout: false,
    fixedOverflowWidgets: true,
    fontSize: 14,
    lineHeight: 20,
    fontFamily: "'DejaVu Sans Mono', 'Menlo', 'Consolas', monospace",
    lineNumbers: cell.type === 'code' ? 'on' : 'off',
    lineNumbersMinChars: 3,
    glyphMargin: false,
    folding: false,
    lineDecorationsWidth: 8,
    overviewRulerLanes: 0,
    hideCursorInOverviewRuler: true,
    renderLineHighlight: 'none',
    wordWrap: cell.type === 'code' ? 'off' : 'on',
    tabSize: 2,
    padding: { top: 6, bottom: 6 },
    scrollbar: { vertical: 'hidden', horizontal: 'auto', alwaysConsumeMouseWheel: false, useShadows: false },
    unicodeHighlight: { ambiguousCharacters: false },
    quickSuggestions: { other: true, comments: false, strings: false },
    acceptSuggestionOnEnter: 'smart',
    ariaLabel: `Nabla cell`,
  };
}
