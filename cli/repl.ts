import { createInterface } from 'node:readline';
import type { Output } from '../compiler/session';

/**
 * `nabla repl`: a prompt over a Session that runs in a worker thread (the Jupyter kernel's WorkerExecutor),
 * so the main thread stays free to hear Ctrl-C while a statement runs. Ctrl-C (or SIGINT from `kill -INT`)
 * interrupts the running statement, as in the kernel: the statement stops with KeyboardInterrupt at its next
 * loop iteration or op, and every variable defined before stays. At an idle prompt, Ctrl-C drops the line
 * being typed; Ctrl-D leaves.
 */
export async function repl(stdio: Output, banner: string): Promise<number> {
  const [{ WorkerExecutor }, { DEFAULT_SESSION_MODULE }, { isComplete }] = await Promise.all([
    import('../kernel/executor'),
    import('../kernel/index'),
    import('../grammar'),
  ]);
  const heap = Number(process.env.NABLA_KERNEL_HEAP_MB) || undefined;
  const executor = new WorkerExecutor({
    sessionModule: DEFAULT_SESSION_MODULE,
    heapLimitMb: heap,
    log: (m) => process.stderr.write(`nabla: ${m}\n`),
  });
  const warnings = await executor.ready;
  for (const w of warnings) process.stderr.write(`nabla: ${w}\n`);
  const rl = createInterface({ input: process.stdin, output: process.stdout, prompt: '∇> ' });
  let running = false;
  let buffer = '';
  const interrupt = () => {
    if (running) {
      if (!executor.interrupt()) process.stderr.write('nabla: nothing is running\n');
      return;
    }
    // idle: forget the half-typed statement, as Python's prompt does
    buffer = '';
    process.stdout.write('\nKeyboardInterrupt\n');
    rl.setPrompt('∇> ');
    rl.prompt();
  };
  rl.on('SIGINT', interrupt); // Ctrl-C on a terminal (readline turns it into this event)
  process.on('SIGINT', interrupt); // kill -INT, or Ctrl-C when stdin is not a terminal
  const sinks = {
    stdout: (t: string) => stdio.stdout(t),
    stderr: (t: string) => stdio.stderr(t),
    display: (b: Record<string, unknown>, o: { displayId?: string; update?: boolean; final?: boolean }) =>
      stdio.display(b, o),
    clearOutput: () => {},
    input: null,
  };
  process.stdout.write(`${banner} Ctrl-C stops a running statement; Ctrl-D leaves.\n`);
  rl.prompt();
  try {
    for await (const line of rl) {
      buffer += (buffer ? '\n' : '') + line;
      const { status, indent } = isComplete(buffer);
      if (status === 'incomplete') {
        rl.setPrompt('.. ' + indent);
        rl.prompt();
        continue;
      }
      if (buffer.trim()) {
        const code = buffer;
        buffer = '';
        running = true;
        const r = await executor.run(code, sinks);
        running = false;
        if (r.ok && r.value) process.stdout.write(String((r.value as Record<string, unknown>)['text/plain']) + '\n');
        if (!r.ok) process.stderr.write(r.traceback.join('\n') + '\n');
      }
      buffer = '';
      rl.setPrompt('∇> ');
      rl.prompt();
    }
  } finally {
    process.off('SIGINT', interrupt);
    await executor.close();
  }
  // the worker's message port and the GPU agent host may keep the event loop alive: leave once output is out
  await new Promise<void>((ok) => process.stdout.write('\n', () => ok()));
  process.exit(0);
}
