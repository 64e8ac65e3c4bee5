import { ConfigError } from '../errors.ts'
import { type AppLogger, consoleLogger, jsonLogger } from './app-logger.ts'
import { batchedLines } from './log-batch.ts'

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

/**
 * The server's logger for a format, writing to `write`; by default to
 * standard output, a turn's lines in one write (log-batch.ts), and whatever
 * is held when the process exits is written then.
 */
export function loggerFor(format: LogFormat, write?: (line: string) => void): AppLogger {
  const sink = write ?? stdoutLines()
  return format === 'json' ? jsonLogger(sink) : consoleLogger(sink)
}

function stdoutLines(): (line: string) => void {
  const lines = batchedLines((text) => process.stdout.write(text))
  process.once('exit', lines.flush)
  return lines.write
}
