export {};

// Measures how long parse() takes on a 1,000-line program (the target is well under 50 ms).
// A script, not a test: timings depend on the machine and belong in reports, not assertions.
//   npx tsx grammar/parse-speed.ts
const startImport = performance.now();
const { nablaParser } = await import('./parser');
const imported = performance.now();
nablaParser();
const built = performance.now();
const { parse } = await import('./index');

const chunk = `# one training step of a small model
fn mse(a, b) = mean((a - b)^2)
fn net(x) {
  h = tanh(x @ W1 + b1)
  h @ W2 + b2
}
W1 = param(randn(1, 32, seed=1)); b1 = param(zeros(32))
opt = adam([W1, b1], lr=1e-3, betas=(0.9, 0.999))
for i in range(1000) {
  loss = mse(net(xs), ys)
  if i % 100 == 0 and not quiet { print("step", i, loss.item()) } else if i > 900 { break }
  g = grad(loss, [W1, b1], create_graph=true)
  no_grad { W1 -= lr * W1.grad; b1[0, 1:3, ::2] = -x^2 }
  with tape(persistent=true) as t { watch(x); y = f(x) }
  m = {h: g, "k": [1, 2, 3]}
  z = W' @ v + 2i * c
}
`;
const source = chunk.repeat(Math.ceil(1000 / (chunk.split('\n').length - 1)));
const lines = source.split('\n').length - 1;

const first = performance.now();
const { diagnostics } = parse(source, 'speed.nabla');
const firstMs = performance.now() - first;
if (diagnostics.length > 0) throw new Error(`the sample has errors: ${diagnostics[0].message}`);

// Wall time, and CPU time, which other processes on a busy machine do not inflate.
const wall: number[] = [];
const cpu: number[] = [];
for (let i = 0; i < 50; i++) {
  const t = performance.now();
  const c = process.cpuUsage();
  parse(source, 'speed.nabla');
  const used = process.cpuUsage(c);
  wall.push(performance.now() - t);
  cpu.push((used.user + used.system) / 1000);
}
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const ms = (x: number) => `${x.toFixed(1)} ms`;
const summary = (xs: number[]) => {
  const s = sorted(xs);
  return `median ${ms(s[25])}, fastest ${ms(s[0])}, slowest ${ms(s[49])}`;
};
console.log(`${lines} lines, ${source.length} characters`);
console.log(`import ${ms(imported - startImport)}, parser construction ${ms(built - imported)}`);
console.log(`first parse ${ms(firstMs)}`);
console.log(`warm parse, wall time: ${summary(wall)}`);
console.log(`warm parse, CPU time:  ${summary(cpu)}`);
