/**
 * The environment a PyTorch peer runs in. `torch.set_num_threads(n)` alone leaves the OpenMP runtime sized for
 * every core, and on a loaded machine its idle workers make a 1-thread run wait: measured on the 2-core machine
 * at load 13 (Dec 6 2026), bench/burgers_torch.py took 70 s of wall time for 3.9 s of CPU without these
 * variables and 9.7 s with them. Setting them before Python starts sizes the pool to the threads asked for.
 */
export function torchEnv(threads: number | string): Record<string, string> {
  const n = String(threads);
  return { OMP_NUM_THREADS: n, MKL_NUM_THREADS: n };
}
