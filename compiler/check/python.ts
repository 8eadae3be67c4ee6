/**
 * Python spellings a newcomer writes, with the Nabla form: names that are Python's (True, None, self-less
 * things like pass) and lines that only Python parses (def f(x):, elif, a block opened with ':').
 */
export const PYTHON_NAMES: Readonly<Record<string, string>> = {
  True: "'true'",
  False: "'false'",
  None: "'none'",
  null: "'none'",
  nil: "'none'",
  undefined: "'none'",
  NaN: "'nan'",
  Inf: "'inf'",
  pass: 'an empty block as { }',
  elif: "'else if'",
  np: 'the builtins directly (sum, exp, zeros, ...): there is nothing to import',
  numpy: 'the builtins directly (sum, exp, zeros, ...): there is nothing to import',
  torch: 'the builtins directly (tensor, param, grad, ...): there is nothing to import',
  math: 'the builtins directly (exp, sqrt, pi, ...): there is nothing to import',
};

/** Line shapes only Python accepts, each with what Nabla writes instead. */
const PYTHON_LINES: [RegExp, string][] = [
  [/^\s*def\s+\w+\s*\(/, 'Nabla defines a function with fn: `fn name(x) { ... }` or `fn name(x) = expression`'],
  [/^\s*(\}\s*)?elif\b/, "Nabla writes 'else if': `} else if cond {`"],
  [
    /^\s*(if|elif|else|for|while|with|def|fn)\b.*:\s*(#.*)?$/,
    "a block is written in braces on the header's line: `if cond { ... }`, not with ':' and indentation",
  ],
  [/\blambda\b[^:]*:/, 'an anonymous function is `fn(x) = expression`'],
  [/^\s*(import|from)\s+\w/, 'Nabla has no imports: its builtins (tensor, grad, sum, exp, ...) are always there'],
  [/^\s*assert\s+[^(\s]/, 'assert is a function here: `assert(condition, "message")`'],
  [/^\s*(class)\s+\w/, 'Nabla has no classes: use functions, maps ({w: param(...)}) and models (linear, mlp)'],
  [/^\s*(try|except)\b/, 'Nabla has no try/except: check a condition with if, or assert(condition, "message")'],
];

/** A hint for a syntax error on this line when it is written the Python way, or null. */
export function pythonHint(line: string): string | null {
  for (const [re, hint] of PYTHON_LINES) if (re.test(line)) return hint;
  return null;
}
