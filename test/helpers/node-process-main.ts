// Child entry for crash tests: runs one fedagg daemon whose node SIGKILLs its own process at a chosen checkpoint.
//
// Usage: node node-process-main.ts <config.json>
//   FEDAGG_TEST_CRASH_AT     a CheckpointName; absent = never crash
//   FEDAGG_TEST_CRASH_AFTER  crash at that checkpoint's n-th hit (1-based) @default 1
// Prints the daemon's ready line, and a `{"event":"crash",...}` line just before the SIGKILL,
// so the parent knows where the process died. SIGTERM or the end of stdin stop it gracefully.
import { readFileSync, writeSync } from 'node:fs'
import { configSchema } from '../../config/index.ts'
import { runDaemon } from '../../node/daemon.ts'
import { createFederationNode } from '../../node/federation-node.ts'
import type { CheckpointName } from '../../node/services/checkpoints.ts'

const CHECKPOINT_NAMES: readonly CheckpointName[] = [
  'aggregator:before-write',
  'aggregator:after-write',
  'aggregator:after-receipt',
  'coordinator:after-record'
]

const configPath = process.argv[2]
if (configPath === undefined) throw new Error('usage: node-process-main.ts <config.json>')
const config = configSchema.parse(JSON.parse(readFileSync(configPath, 'utf8')))

const crashAt = process.env.FEDAGG_TEST_CRASH_AT
const crashAfter = Number(process.env.FEDAGG_TEST_CRASH_AFTER ?? '1')
if (crashAt !== undefined && !CHECKPOINT_NAMES.includes(crashAt as CheckpointName)) {
  throw new Error(`FEDAGG_TEST_CRASH_AT: expected one of ${CHECKPOINT_NAMES.join(', ')}, got ${crashAt}`)
}
if (!Number.isInteger(crashAfter) || crashAfter < 1) {
  throw new Error(`FEDAGG_TEST_CRASH_AFTER: expected an integer >= 1, got ${process.env.FEDAGG_TEST_CRASH_AFTER}`)
}

let hits = 0
function checkpoint (name: CheckpointName): void {
  if (name !== crashAt || ++hits < crashAfter) return
  // writeSync: the line must be in the pipe before the process is gone; nothing after the kill runs.
  writeSync(1, JSON.stringify({ event: 'crash', checkpoint: name, hit: hits }) + '\n')
  process.kill(process.pid, 'SIGKILL')
}

await runDaemon(config, {
  stopOnStdinEnd: true,
  createNode: async (nodeConfig, options) => createFederationNode(nodeConfig, { ...options, checkpoint })
})
process.exit(0)
