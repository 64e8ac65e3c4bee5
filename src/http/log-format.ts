import { ConfigError } from '../errors.ts'
import { type AppLogger, consoleLogger, jsonLogger } from './app-logger.ts'

/** How log lines are written: JSON lines for a log system, text for a person at a terminal. */
export type LogFormat = 'json' | 'text'

/**
 * `LOG_FORMAT` (`json` or `text`); unset or empty: text when standard output
 * is a terminal, JSON lines otherwise (systemd's journal, a container's log
 * driver, a pipe).
 * @throws ConfigError for any other value (exit 78).
 */
export function logFormat(value: string | undefined, stdoutIsTTY: boolean): LogFormat {
  if (value === undefined || value === '') return stdoutIsTTY ? 'text' : 'json'
  if (value === 'json' || value === 'text') return value
  throw new ConfigError('LOG_FORMAT must be json or text (unset: text on a terminal, JSON lines otherwise)')
}

/** The server's logger for a format, writing to `write` (standard output by default). */
export function loggerFor(format: LogFormat, write?: (line: string) => void): AppLogger {
  return format === 'json' ? jsonLogger(write) : consoleLogger(write)
}
