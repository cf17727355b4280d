// The status page and /healthz on the control port: a static HTML page and script polling a read-only JSON route.
//
// Auth: these routes answer without the bearer token. A browser cannot attach the token to a page
// it navigates to, and a token in the URL would sit in shell history and browser history. What
// they reveal is what /metrics already reveals (peer IDs, names, counts, times; never values, keys
// or the token), the listener is loopback only, the server refuses non-loopback Host headers (DNS
// rebinding) and sends no CORS headers (another origin cannot read the answers), and none of these
// routes changes anything: every mutating route still requires the token.
import { readFile } from 'node:fs/promises'
import type { Route, RouteResponse } from './routes.ts'
import type { StatusView } from './status-view.ts'

/** Same-origin script only, nothing framed: the page renders peer-supplied names as text, never as markup. */
const PAGE_HEADERS = {
  'content-security-policy': "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; img-src 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff'
}

export async function statusPageRoutes (view: StatusView): Promise<Route[]> {
  // Read once at start: the files ship with the code, and a request never touches the disk.
  const [html, script] = await Promise.all([
    readFile(new URL('status-page.html', import.meta.url), 'utf8'),
    readFile(new URL('status-page.js', import.meta.url), 'utf8')
  ])
  const open = (path: string[], handle: () => Promise<RouteResponse>): Route =>
    ({ method: 'GET', path, authenticated: false, takesBody: false, handle })
  return [
    open([], async () => ({ text: html, contentType: 'text/html; charset=utf-8', headers: PAGE_HEADERS })),
    open(['status-page.js'], async () => ({ text: script, contentType: 'text/javascript; charset=utf-8', headers: PAGE_HEADERS })),
    open(['status.json'], async () => ({ json: await view.page() })),
    // 503 tells a load balancer or systemd watchdog "not ready"; the body says why.
    open(['healthz'], async () => {
      const health = await view.health()
      return { json: health, status: health.ok ? 200 : 503 }
    })
  ]
}
