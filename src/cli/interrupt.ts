/**
 * SIGINT/SIGTERM → an AbortSignal the training loop checks between steps, so Ctrl-C or a
 * scheduler's TERM ends with a checkpoint instead of lost work. A second signal exits at once.
 */
export interface InterruptWatch {
  signal: AbortSignal;
  /** The name of the signal received, once one was. */
  received(): NodeJS.Signals | null;
  dispose(): void;
}

export function watchForInterrupts(): InterruptWatch {
  const controller = new AbortController();
  let received: NodeJS.Signals | null = null;
  const handler = (signal: NodeJS.Signals) => {
    if (received) process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
    received = signal;
    controller.abort();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    received: () => received,
    dispose() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
