/**
 * A browser we launched runs in its own process group (so Ctrl-C reaches only us): every way out of
 * the process must take it along. `'exit'` covers normal ends and uncaught errors; SIGTERM and
 * SIGHUP would otherwise end Node without an `'exit'` event, so they kill it and exit with 128 + n.
 * SIGINT is left to the caller: what Ctrl-C means differs by command.
 */
export function takeAlongOnExit(kill: () => void, announce?: (signal: NodeJS.Signals) => void): void {
  process.on('exit', kill);
  for (const [signal, code] of [['SIGTERM', 143], ['SIGHUP', 129]] as const) {
    process.once(signal, () => {
      announce?.(signal);
      kill();
      process.exit(code);
    });
  }
}
