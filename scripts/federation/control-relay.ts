// Relays control API calls from stdin to the daemon on <dataDir>, for a harness outside this network namespace.
//
// Usage: node control-relay.ts <dataDir>   (run through `ip netns exec <namespace>`)
// Reads RelayRequest JSON lines, answers each with a RelayResponse line (in completion order), and
// exits when stdin ends, so it never outlives the harness that started it.
import { createInterface } from 'node:readline'
import { harnessControl, serveRelayRequest } from './node-control.ts'
import type { RelayRequest } from './node-control.ts'

const dataDir = process.argv[2]
if (dataDir === undefined) throw new Error('usage: control-relay.ts <dataDir>')
const control = await harnessControl(dataDir)
const inFlight = new Set<Promise<void>>()
for await (const line of createInterface({ input: process.stdin })) {
  const request = JSON.parse(line) as RelayRequest
  const answered = serveRelayRequest(control, request).then(response => { process.stdout.write(JSON.stringify(response) + '\n') })
  inFlight.add(answered)
  void answered.finally(() => { inFlight.delete(answered) })
}
await Promise.all(inFlight)
