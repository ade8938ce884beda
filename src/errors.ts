/**
 * Errors the CLI maps to exit codes. The core throws these; anything else is a bug and is
 * reported with its stack only under --verbose / DEBUG.
 *
 * The core names its inputs by field (`minAccuracy`), never by a command-line flag: a message is
 * built with `fieldMessage` and `field(...)`, and whoever shows it names each field its own way
 * (the CLI as its flag, src/cli/run-action.ts); `message` names the fields themselves.
 */

/** An input field named in a message, with the value it had (or should have) when that matters. */
export interface FieldRef {
  readonly field: string;
  readonly value?: string | number | boolean;
}

export function field(name: string, value?: string | number | boolean): FieldRef {
  return value === undefined ? { field: name } : { field: name, value };
}

export type MessagePart = string | FieldRef;

/** How a reader names a field in a message. */
export type FieldNamer = (ref: FieldRef) => string;

/** The core's own naming: `minAccuracy`, `keep=0`. */
const nameAsField: FieldNamer = ({ field: name, value }) => (value === undefined ? name : `${name}=${value}`);

/** Tagged template: interpolated `field(...)` values stay fields, everything else becomes text. */
export function fieldMessage(strings: TemplateStringsArray, ...values: unknown[]): MessagePart[] {
  const parts: MessagePart[] = [strings[0]!];
  values.forEach((value, i) => {
    if (isFieldRef(value)) parts.push(value);
    else parts.push(String(value));
    parts.push(strings[i + 1]!);
  });
  return parts.filter((part) => part !== '');
}

function isFieldRef(value: unknown): value is FieldRef {
  return typeof value === 'object' && value !== null && typeof (value as FieldRef).field === 'string';
}

function renderMessage(parts: readonly MessagePart[], nameField: FieldNamer): string {
  return parts.map((part) => (typeof part === 'string' ? part : nameField(part))).join('');
}

/** An error whose message may name input fields; `describe` renders them for a given reader. */
abstract class FieldError extends Error {
  readonly parts: readonly MessagePart[];

  constructor(message: string | readonly MessagePart[], options?: ErrorOptions) {
    const parts = typeof message === 'string' ? [message] : message;
    super(renderMessage(parts, nameAsField), options);
    this.parts = parts;
  }

  describe(nameField: FieldNamer): string {
    return renderMessage(this.parts, nameField);
  }
}

/** Bad input from the user: an option, a file or a field that is not what was expected. Exit 2. */
export class UserInputError extends FieldError {
  override readonly name = 'UserInputError';
}

/** The input was fine but the operation failed (a server unreachable, a gate not met). Exit 1. */
export class OperationalError extends FieldError {
  override readonly name = 'OperationalError';

  /** `details`: what a --json reader gets beside the message, e.g. the comparison a gate refused on. */
  constructor(
    message: string | readonly MessagePart[],
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

/** The message a reader sees: fields named by `nameField`, any other error's own message. */
export function describeError(error: unknown, nameField: FieldNamer): string {
  if (error instanceof FieldError) return error.describe(nameField);
  return error instanceof Error ? error.message : String(error);
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
/** Training stopped by SIGINT/SIGTERM after writing a checkpoint (128 + SIGINT, as shells report). */
export const EXIT_INTERRUPTED = 130;
