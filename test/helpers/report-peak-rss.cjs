// Preloaded with `node --require`: prints the process's peak resident memory when it exits, so a
// test can bound what a command costs, not just what it answers.
process.on('exit', () =>
  process.stderr.write(`\n[peak-rss-mb] ${Math.round(process.resourceUsage().maxRSS / 1024)}\n`),
);
