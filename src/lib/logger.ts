// The process logger (pino, JSON lines on stderr). Redaction paths are a second line of defence:
// no code path should hand a credential to the logger in the first place.
import { pino } from 'pino';

export type Logger = pino.Logger;

export function createLogger(level = 'info'): Logger {
  return pino(
    {
      level,
      base: { service: 'airlock' },
      redact: {
        paths: ['authorization', 'headers.authorization', '*.authorization', 'token', 'key', 'secret', '*.secret', 'inject'],
        censor: '[redacted]',
      },
    },
    pino.destination(2),
  );
}
