/**
 * A spinner on stderr while a command waits on work that reports no progress of its own (loading
 * TensorFlow, verifying a SavedModel). Only where it can animate and the user allows it: a
 * terminal with a width, no --no-color/NO_COLOR, no --quiet. Elsewhere the work runs silently, so CI logs and
 * --json output never see cursor escapes.
 */
import ora from 'ora';
import type { GlobalOptions } from './output.ts';

export async function whileWaiting<T>(options: GlobalOptions, text: string, work: () => Promise<T>): Promise<T> {
  // A terminal that reports no width (some CI pseudo-terminals) would make ora's line clearing loop.
  if (options.quiet || !options.color || !process.stderr.isTTY || !process.stderr.columns) return work();
  const spinner = ora({ text, stream: process.stderr, discardStdin: false }).start();
  try {
    return await work();
  } finally {
    spinner.stop();
  }
}
