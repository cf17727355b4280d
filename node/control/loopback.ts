// The Host header's host part, for the control API's loopback check (isLoopbackHost lives in config/loopback.ts).
/** The host part of a Host header value (`127.0.0.1:8080`, `[::1]:8080`, `localhost`). */
export function hostOfHostHeader (header: string): string {
  if (header.startsWith('[')) {
    const close = header.indexOf(']')
    return close < 0 ? header : header.slice(0, close + 1)
  }
  const colon = header.lastIndexOf(':')
  return colon < 0 ? header : header.slice(0, colon)
}
