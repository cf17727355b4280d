// Decides whether a host name or address is loopback, for binding the control API and checking Host headers.
import { isIP } from 'node:net'

/**
 * True for 127.0.0.0/8, ::1 (optionally bracketed), the IPv4-mapped form
 * ::ffff:127.x.y.z, and the name `localhost`. Nothing is resolved: a name
 * other than localhost could resolve anywhere.
 */
export function isLoopbackHost (host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host
  if (bare.toLowerCase() === 'localhost') return true
  const family = isIP(bare)
  if (family === 4) return bare.startsWith('127.')
  if (family === 6) {
    const lower = bare.toLowerCase()
    if (lower === '::1' || lower === '0:0:0:0:0:0:0:1') return true
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower)
    return mapped?.[1] !== undefined && mapped[1].startsWith('127.')
  }
  return false
}

/** The host part of a Host header value (`127.0.0.1:8080`, `[::1]:8080`, `localhost`). */
export function hostOfHostHeader (header: string): string {
  if (header.startsWith('[')) {
    const close = header.indexOf(']')
    return close < 0 ? header : header.slice(0, close + 1)
  }
  const colon = header.lastIndexOf(':')
  return colon < 0 ? header : header.slice(0, colon)
}
