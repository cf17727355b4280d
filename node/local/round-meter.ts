// Splits one round's wall time into phases from the nodes' /metrics counters, read before and after the round.
import type { Role } from '../api.ts'
import type { ControlClient } from '../control/client.ts'
import { sumSamples } from '../metrics/prometheus-text.ts'

export interface RoundPhases {
  /** Seconds, of the round's wall time, that nothing below accounts for: streams, signatures, storage, waiting. */
  transfer: number
  /** The slowest client's tagging and encryption (clients encrypt at the same time). */
  encrypt: number
  /** The aggregator's checking, storing and folding of submissions, and re-randomizing the aggregate. */
  aggregate: number
  /** The coordinator's decryption. */
  decrypt: number
}

interface MeteredNode {
  role: Role
  control: ControlClient
}

interface Reading {
  bytes: number
  phase: number
}

const PHASE_OF_ROLE: Record<Role, keyof RoundPhases> = { client: 'encrypt', aggregator: 'aggregate', coordinator: 'decrypt' }

/**
 * Reads every node's `fedagg_bytes_sent_total` and its role's
 * `fedagg_round_phase_seconds_sum` now; `finish(wallSeconds)` reads them again
 * and attributes the differences.
 */
export async function startRoundMeter (nodes: readonly MeteredNode[]): Promise<{ finish: (wallSeconds: number) => Promise<{ phases: RoundPhases, bytes: number }> }> {
  const before = await readAll(nodes)
  return {
    finish: async (wallSeconds) => {
      const after = await readAll(nodes)
      const phases: RoundPhases = { transfer: 0, encrypt: 0, aggregate: 0, decrypt: 0 }
      let bytes = 0
      nodes.forEach((node, i) => {
        const phase = PHASE_OF_ROLE[node.role]
        const start = before[i] as Reading
        const end = after[i] as Reading
        bytes += end.bytes - start.bytes
        // Clients work in parallel, so the round waits for the slowest; the others' roles are single nodes.
        phases[phase] = Math.max(phases[phase], end.phase - start.phase)
      })
      phases.transfer = Math.max(0, wallSeconds - phases.encrypt - phases.aggregate - phases.decrypt)
      return { phases, bytes }
    }
  }
}

async function readAll (nodes: readonly MeteredNode[]): Promise<Reading[]> {
  return Promise.all(nodes.map(async ({ role, control }) => {
    const text = await control.metrics()
    return { bytes: sumSamples(text, 'fedagg_bytes_sent_total'), phase: sumSamples(text, 'fedagg_round_phase_seconds_sum', { phase: PHASE_OF_ROLE[role] }) }
  }))
}
