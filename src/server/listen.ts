// --listen HOST:PORT: an IPv4 address or name, or [IPv6]; port 0 picks a free one.
import { invalid } from '../core/errors.js'

export function parseListen(text: string): { host: string; port: number } {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(text.trim())
  const port = Number(match?.[3])
  if (!match || port > 65_535)
    throw invalid(`--listen: "${text}" is not HOST:PORT (e.g. 127.0.0.1:8787, 0.0.0.0:8787, [::1]:8787; port 0 picks a free one)`, { flag: 'listen' })
  return { host: (match[1] ?? match[2]) as string, port }
}
