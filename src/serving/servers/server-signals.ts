/**
 * Signals as tensorflow_model_server takes them: SIGTERM (and SIGINT) stop, SIGHUP re-reads the
 * config. Both are watched from the start: a SIGTERM while models load stops the server right
 * after, and a SIGHUP then (whose default action would kill the process) reloads once it is up,
 * as the file may have changed since.
 */
export interface ServerSignals {
  /** The first stop signal. A second finds no listener and takes its default action: the process ends at once. */
  stopSignal: Promise<NodeJS.Signals>;
  /** From now on SIGHUP calls `reload` (at once, if one came before). */
  started(reload: () => void): void;
  stopWatchingHangups(): void;
}

export function watchServerSignals(stopOn: NodeJS.Signals[]): ServerSignals {
  const stopSignal = new Promise<NodeJS.Signals>((resolve) => {
    for (const signal of stopOn) process.once(signal, () => resolve(signal));
  });
  let reloadNow: (() => void) | undefined;
  let reloadWhenStarted = false;
  const onHangup = () => {
    if (reloadNow) reloadNow();
    else reloadWhenStarted = true;
  };
  process.on('SIGHUP', onHangup);
  return {
    stopSignal,
    started(reload) {
      reloadNow = reload;
      if (reloadWhenStarted) reload();
    },
    stopWatchingHangups: () => process.off('SIGHUP', onHangup),
  };
}
