// The server's log: one line per event on stdout, as text or JSON (for log
// shippers). Every line goes through the redaction point: no secret, database
// password, API key or card number can reach it.
import { redact, redactDeep } from '../core/redact.js'

export type LogFormat = 'text' | 'json'
export type Log = (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void

export function logger(format: LogFormat, write: (line: string) => void = (line) => process.stdout.write(line)): Log {
  return (level, message, fields = {}) => {
    const time = new Date().toISOString()
    if (format === 'json') {
      write(`${JSON.stringify(redactDeep({ time, level, msg: message, ...fields }))}\n`)
      return
    }
    const rest = Object.entries(fields)
      .map(([key, value]) => `${key}=${typeof value === 'string' && !/\s/.test(value) ? value : JSON.stringify(value)}`)
      .join(' ')
    write(`${redact(`${time} ${level} ${message}${rest ? ` ${rest}` : ''}`)}\n`)
  }
}
