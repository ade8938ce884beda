/**
 * Structured logs for the server: one JSON object per line on stderr (`time`, `level`, `msg`, then
 * fields), which log shippers parse without configuration.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** `context` fields (a worker's id) end every line, after the line's own fields. */
export function jsonLogger(write: (line: string) => void, minimum: LogLevel = 'info', context: LogFields = {}): Logger {
  const emit =
    (level: LogLevel) =>
    (msg: string, fields: LogFields = {}) => {
      if (ORDER[level] < ORDER[minimum]) return;
      write(`${JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields, ...context })}\n`);
    };
  return { info: emit('info'), warn: emit('warn'), error: emit('error') };
}

export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} };
