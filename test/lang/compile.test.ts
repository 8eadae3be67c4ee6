import { describe, expect, it } from 'vitest';
import { runNabla } from './run';

/** compile(f) and @compile in the language: same numbers as the plain function, and fallbacks said aloud. */
const training = (decorator: string) => `
net = mlp([2, 8, 1], seed=3)
X = randn(32, 2, seed=4)
Y = sin(X[:, 0:1])
opt = adam(net.params, lr=0.02)
${decorator}
fn step() {
  opt.zero_grad()
  loss = mean((net(X) - Y)^2)
  loss.backward()
  opt.step()
  (loss, loss * 2)
}
out = []
for i in range(40) {
  l, twice = step()
  out.append(l.item())
}
print(out)
print(twice.item() == 2 * l.item())
`;

describe('compile in the language', () => {
  it('@compile trains to the same printed losses as the plain function, and rebuilds tuples', () => {
    const plain = runNabla(training(''));
    const compiled = runNabla(training('@compile'));
    expect(plain.ok && compiled.ok).toBe(true);
    expect(compiled.stdout).toBe(plain.stdout);
    expect(compiled.stdout).toContain('true');
    expect(compiled.stdout).not.toContain('Warning');
  });

  it('compile(f) of a function that reads item() runs it eagerly and warns once, naming the function and the line', () => {
    const r = runNabla(`
w = tensor([1.0, -2.0, 3.0])
fn signed(x) {
  s = sum(w * x)
  if s.item() < 0 { return -s }
  s
}
g = compile(signed)
print(g(tensor([1.0, 1.0, 1.0])), g(tensor([0.0, 1.0, 0.0])), g(tensor([0.0, 1.0, 0.0])))
`);
    expect(r.ok).toBe(true);
    expect(r.stdout).toContain('tensor(2.) tensor(2.) tensor(2.)');
    const warnings = r.stdout.split('\n').filter((l) => l.startsWith('Warning: compile:'));
    expect(warnings).toEqual([
      expect.stringMatching(
        /^Warning: compile: signed runs eagerly \(not compiled\): it reads the values of a tensor on the host .*, at test\.nabla:5:/,
      ),
    ]);
  });

  it('compile of something that is not a function says what to pass', () => {
    const r = runNabla('compile(3)');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.evalue).toContain('compile needs a function');
  });
});
