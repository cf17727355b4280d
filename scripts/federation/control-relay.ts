// Relays control API calls from stdin to the daemon on <dataDir>, for a harness outside this network namespace.
//
// Usage: node control-relay.ts <dataDir> [requestTimeoutMs]   (run through `ip netns exec <namespace>`)
// Reads RelayRequest JSON lines, answers each with a RelayResponse line (in completion order), and
// exits when stdin ends, so it never outlives the harness that started it.
import { createInterface } from 'node:readline'
import { ControlClient } from '../../node/control/client.ts'
import { serveRelayRequest } from './node-control.ts'
import type { RelayRequest } from './node-control.ts'

const [dataDir, timeout] = process.argv.slice(2)
if (dataDir === undefined) throw new Error('usage: control-relay.ts <dataDir> [requestTimeoutMs]')
const client = await ControlClient.fromDataDir(dataDir, timeout === undefined ? {} : { requestTimeoutMs: Number(timeout) })
const inFlight = new Set<Promise<void>>()
for await (const line of createInterface({ input: process.stdin })) {
  const request = JSON.parse(line) as RelayRequest
  const answered = serveRelayRequest(client, request).then(response => { process.stdout.write(JSON.stringify(response) + '\n') })
  inFlight.add(answered)
  void answered.finally(() => { inFlight.delete(answered) })
}
await Promise.all(inFlight)
