// Nabla in Monaco: the generated Monarch tokenizer, diagnostics as markers while typing (grammar's parse,
// the same parser and recovery the compiler runs), and completion and hover from the session's builtin
// table and globals (Session.complete / Session.inspect, the calls the Jupyter kernel answers with), asked
// of the session worker asynchronously.
import * as monaco from 'monaco-editor/editor';
import { parse } from '../../grammar';
import { languageConfiguration, LANGUAGE_ID, monarchLanguage } from './monarch';
import { codePointOffset, utf16Offset } from './notebook';
import type { CompletionKind, CompletionReply, InspectReply } from './protocol';

/** Marker owners: syntax while typing, and the places of the last run's error. */
export const SYNTAX_OWNER = 'nabla';
export const RUN_OWNER = 'nabla-run';

/** What the editor asks of the session (code-point cursors, as the kernel protocol counts them). */
export interface LanguageService {
  /** Names of the builtin table (highlighted as `predefined`). */
  builtins: readonly string[];
  complete(code: string, cursor: number): Promise<CompletionReply>;
  inspect(code: string, cursor: number): Promise<InspectReply>;
}

const KINDS: Record<CompletionKind, monaco.languages.CompletionItemKind> = {
  keyword: monaco.languages.CompletionItemKind.Keyword,
  constant: monaco.languages.CompletionItemKind.Constant,
  function: monaco.languages.CompletionItemKind.Function,
  variable: monaco.languages.CompletionItemKind.Variable,
};

export function registerNabla(lang: LanguageService): void {
  monaco.languages.register({
    id: LANGUAGE_ID,
    extensions: ['.nabla'],
    aliases: ['Nabla', 'nabla'],
    mimetypes: ['text/x-nabla'],
  });
  monaco.languages.setMonarchTokensProvider(LANGUAGE_ID, monarchLanguage({ builtins: lang.builtins }));
  monaco.languages.setLanguageConfiguration(LANGUAGE_ID, languageConfiguration());
  monaco.editor.defineTheme('nabla-light', {
    base: 'vs',
    inherit: true,
    rules: [
      { token: 'keyword', foreground: 'af00db', fontStyle: 'bold' },
      { token: 'predefined', foreground: '795e26' },
      { token: 'number', foreground: '098658' },
      { token: 'string', foreground: 'a31515' },
      { token: 'comment', foreground: '6a8759', fontStyle: 'italic' },
      { token: 'operator', foreground: '0451a5' },
      { token: 'delimiter', foreground: '444444' },
      { token: 'identifier', foreground: '001080' },
      { token: 'invalid', foreground: 'cd3131' },
    ],
    colors: { 'editor.background': '#fbfbfd', 'editorLineNumber.foreground': '#b0b0b8' },
  });

  monaco.languages.registerCompletionItemProvider(LANGUAGE_ID, {
    triggerCharacters: ['.'],
    async provideCompletionItems(model, position) {
      const code = model.getValue();
      const cursor = codePointOffset(code, model.getOffsetAt(position));
      let c: CompletionReply;
      try {
        c = await lang.complete(code, cursor);
      } catch {
        return { suggestions: [] };
      }
      const start = model.getPositionAt(utf16Offset(code, c.start));
      const range = new monaco.Range(start.lineNumber, start.column, position.lineNumber, position.column);
      const suggestions = c.items.map((m, i) => ({
        label: m.label,
        kind: KINDS[m.kind],
        insertText: m.label,
        range,
        sortText: String(i).padStart(5, '0'),
        detail: m.detail,
      }));
      return { suggestions };
    },
    async resolveCompletionItem(item) {
      const name = typeof item.label === 'string' ? item.label : item.label.label;
      const doc = await inspectText(lang, name, name.length);
      if (doc) item.documentation = { value: doc.body };
      return item;
    },
  });

  monaco.languages.registerHoverProvider(LANGUAGE_ID, {
    async provideHover(model, position) {
      const word = model.getWordAtPosition(position);
      if (!word) return null;
      const code = model.getValue();
      const offset = model.getOffsetAt({ lineNumber: position.lineNumber, column: word.startColumn });
      const doc = await inspectText(lang, code, codePointOffset(code, offset));
      if (!doc) return null;
      return {
        range: new monaco.Range(position.lineNumber, word.startColumn, position.lineNumber, word.endColumn),
        contents: [{ value: '```nabla\n' + doc.head + '\n```' }, ...(doc.body ? [{ value: doc.body }] : [])],
      };
    },
  });
}

async function inspectText(lang: LanguageService, code: string, cursor: number): Promise<InspectReply> {
  try {
    return await lang.inspect(code, cursor);
  } catch {
    return null;
  }
}

/** Parses the model's text and shows every diagnostic as a marker; returns how many there were. */
export function updateSyntaxMarkers(model: monaco.editor.ITextModel, file: string): number {
  const code = model.getValue();
  const { diagnostics } = parse(code, file);
  monaco.editor.setModelMarkers(
    model,
    SYNTAX_OWNER,
    diagnostics.map((d) => {
      const start = model.getPositionAt(d.span.start.offset);
      const end = model.getPositionAt(d.span.end.offset);
      return {
        severity: d.severity === 'error' ? monaco.MarkerSeverity.Error : monaco.MarkerSeverity.Warning,
        message: d.message,
        source: 'nabla',
        startLineNumber: start.lineNumber,
        startColumn: start.column,
        endLineNumber: end.lineNumber,
        endColumn: end.column,
      };
    }),
  );
  return diagnostics.length;
}
