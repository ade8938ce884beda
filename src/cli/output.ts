/**
 * How commands talk to the user: one JSON object on stdout with --json, human text otherwise;
 * progress and logs always on stderr so stdout stays parseable in CI pipelines.
 */
import type { Command } from 'commander';
import type { Device } from '../runtime/tf.ts';

export interface GlobalOptions {
  json: boolean;
  quiet: boolean;
  verbose: boolean;
  /** The user allows terminal escapes (no --no-color, no NO_COLOR); each stream still checks its own TTY. */
  color: boolean;
  device: Device;
}

export function globalOptions(command: Command): GlobalOptions {
  const opts = command.optsWithGlobals() as Partial<GlobalOptions>;
  return {
    json: Boolean(opts.json),
    quiet: Boolean(opts.quiet),
    verbose: Boolean(opts.verbose),
    color: opts.color !== false && !process.env.NO_COLOR,
    device: opts.device ?? 'auto',
  };
}

/** Prints a command's result: `value` as JSON with --json, else the human rendering. */
export function printResult(options: GlobalOptions, value: unknown, human: () => string): void {
  if (options.json) {
    process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  } else {
    const text = human();
    if (text) process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }
}

/** A progress or status line for people; silent with --quiet, on stderr with --json. */
export function log(options: GlobalOptions, line: string): void {
  if (options.quiet) return;
  process.stderr.write(`${line}\n`);
}

/** Renders rows as an aligned plain-text table (no box drawing, so CI logs stay readable). */
export function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((row) => row.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)));
  return cells
    .map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  '))
    .join('\n');
}
