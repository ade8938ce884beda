/**
 * Errors the CLI maps to exit codes. The core throws these; anything else is a bug and is
 * reported with its stack only under --verbose / DEBUG.
 */

/** Bad input from the user: a flag, a file or a field that is not what was expected. Exit 2. */
export class UserInputError extends Error {
  override readonly name = 'UserInputError';
}

/** The input was fine but the operation failed (a server unreachable, a gate not met). Exit 1. */
export class OperationalError extends Error {
  override readonly name = 'OperationalError';

  /** `details`: what a --json reader gets beside the message, e.g. the comparison a gate refused on. */
  constructor(message: string, readonly details?: Record<string, unknown>) {
    super(message);
  }
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
/** Training stopped by SIGINT/SIGTERM after writing a checkpoint (128 + SIGINT, as shells report). */
export const EXIT_INTERRUPTED = 130;
