// Decides whether a host name or address is loopback: the control API must never be reachable from another host.
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
