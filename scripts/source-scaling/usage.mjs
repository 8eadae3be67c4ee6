// Preloaded into a measured process (node --import): at exit, one line on stderr with the
// process's peak resident memory and CPU time, which only the process itself can read.
process.on('exit', () => {
  const u = process.resourceUsage();
  process.stderr.write(
    `\nNABLA_USAGE ${JSON.stringify({ maxRssKB: u.maxRSS, cpuUs: u.userCPUTime + u.systemCPUTime })}\n`,
  );
});
