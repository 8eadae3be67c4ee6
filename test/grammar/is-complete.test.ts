// isComplete() answers Jupyter's is_complete_request: keep reading while the input only
// stops early, with two spaces of indent per open block.
import { describe, expect, it } from 'vitest';
import { isComplete } from '../../grammar/index';

describe('isComplete', () => {
  it.each([
    ['', 'complete', ''],
    ['x = 1', 'complete', ''],
    ['if c { x }', 'complete', ''],
    ['fn f(x) {\n  x\n}\n', 'complete', ''],
    ['# just a comment', 'complete', ''],
    ['if c {', 'incomplete', '  '],
    ['if c {\n  x = 1\n', 'incomplete', '  '],
    ['fn f(x) {\n  if x > 0 {\n', 'incomplete', '    '],
    ['for i in 0..n {\n  while t {\n    no_grad {', 'incomplete', '      '],
    ['f(1,\n  2', 'incomplete', ''],
    ['x = [1, 2,', 'incomplete', ''],
    ['m = {a: 1,', 'incomplete', ''],
    ['s = "abc', 'incomplete', ''],
    ['print("abc', 'incomplete', ''],
    ['if c {\n  print("a', 'incomplete', '  '],
    ['x = )', 'invalid', ''],
    ['x = 1 +', 'invalid', ''],
    ['if c { x = ) ', 'invalid', ''],
    ['x = $ {', 'invalid', ''],
    ['s = "abc\nif c {', 'invalid', ''],
    ['f(x) = 1 {', 'invalid', ''],
    ['x = 1 }', 'invalid', ''],
  ])('%j is %s', (source, status, indent) => {
    expect(isComplete(source)).toEqual({ status, indent });
  });
});
