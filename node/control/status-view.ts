// What the status page and /healthz show: members with connection and last-seen times, open and recent rounds, federation health.
import type { FederationNode, Role, RoundStatus } from '../api.ts'

/** Rounds the page lists: every open one plus the newest decided ones up to this count. */
export const RECENT_ROUNDS = 20

/** Which peers this node holds a libp2p connection to, and a hook for when one goes away. */
export interface PeerConnections {
  connected (): string[]
  /** Calls `listener` with the peer ID whenever the last connection to a peer closes; returns an unsubscribe. */
  onDisconnect (listener: (peerId: string) => void): () => void
}

export interface MemberStatus {
  peerId: string
  name: string
  roles: Role[]
  /** This node itself. */
  self: boolean
  connected: boolean
  /** When this node last held a connection to the member (now while connected); absent if never since start. */
  lastSeenMs?: number
}

export interface RoundPhaseTimes {
  /** From opening until the deadline, the last eligible client's contribution (aggregator), the decision or now, whichever came first. */
  collectingMs: number
  /** From the end of collecting until the coordinator's decision; absent until decided. */
  decidingMs?: number
}

export interface RoundStatusEntry {
  roundId: string
  status: RoundStatus
  aggregator: string
  encoding: string
  length: number
  contributors: number
  minParticipants: number
  eligible: number
  openedAtMs: number
  deadlineMs: number
  keyFingerprint: string
  bytes?: number
  reason?: string
  decidedAtMs?: number
  phases: RoundPhaseTimes
}

export interface HealthView {
  /** The node runs and takes part in its federation. */
  ok: boolean
  /** 'coordinator', 'connected', or why not: 'not-admitted', 'removed', 'coordinator-unreachable'. */
  state: string
  detail: string
}

export interface StatusPageView {
  generatedAtMs: number
  peerId: string
  federationId: string
  roles: Role[]
  rosterVersion: number
  /** The Paillier key of the newest round; absent before the first round. */
  keyFingerprint?: string
  health: HealthView
  members: MemberStatus[]
  rounds: RoundStatusEntry[]
}

export interface StatusView {
  page (): Promise<StatusPageView>
  health (): Promise<HealthView>
  /** Stops tracking disconnections. */
  close (): void
}

export interface StatusViewInit {
  node: FederationNode
  /** Absent (a node without libp2p, as in control API tests): connected means "the node has any connection". */
  connections?: PeerConnections
  now?: () => number
}

export function createStatusView ({ node, connections, now = Date.now }: StatusViewInit): StatusView {
  // Last seen is only known since this process started: the page says "never" before the first contact.
  const lastSeen = new Map<string, number>()
  const unsubscribe = connections?.onDisconnect(peerId => { lastSeen.set(peerId, now()) }) ?? (() => {})

  const connectedPeers = async (): Promise<Set<string>> => {
    if (connections === undefined) return new Set()
    const peers = new Set(connections.connected())
    const at = now()
    for (const peer of peers) lastSeen.set(peer, at)
    return peers
  }

  const health = async (): Promise<HealthView> => {
    const status = await node.status()
    const roster = node.roster()
    if (status.roles.includes('coordinator') && roster?.coordinator === node.peerId) {
      return { ok: true, state: 'coordinator', detail: `coordinator of ${roster.federationId}, roster version ${roster.version}` }
    }
    if (roster === undefined) {
      return { ok: false, state: 'not-admitted', detail: `no roster yet: the coordinator has not admitted ${node.peerId} or cannot be reached` }
    }
    if (!roster.members.some(member => member.peerId === node.peerId)) {
      return { ok: false, state: 'removed', detail: `roster version ${roster.version} no longer lists ${node.peerId}` }
    }
    const linked = connections === undefined ? status.connections > 0 : (await connectedPeers()).has(roster.coordinator)
    if (!linked) return { ok: false, state: 'coordinator-unreachable', detail: `no connection to the coordinator ${roster.coordinator}` }
    return { ok: true, state: 'connected', detail: `member of ${roster.federationId}, roster version ${roster.version}, connected to the coordinator` }
  }

  const page = async (): Promise<StatusPageView> => {
    const [status, peers, healthView] = [await node.status(), await connectedPeers(), await health()]
    const roster = node.roster()
    const at = now()
    const members: MemberStatus[] = (roster?.members ?? []).map(member => {
      const self = member.peerId === node.peerId
      const connected = self || (connections === undefined ? status.connections > 0 : peers.has(member.peerId))
      const seen = self ? at : lastSeen.get(member.peerId)
      return { peerId: member.peerId, name: member.name, roles: member.roles, self, connected, ...(seen === undefined ? {} : { lastSeenMs: seen }) }
    })
    const open = status.rounds.filter(round => round.status === 'open')
    const recent = status.rounds.filter(round => round.status !== 'open').slice(0, RECENT_ROUNDS)
    const rounds: RoundStatusEntry[] = []
    for (const round of [...open, ...recent]) {
      const result = await node.result(round.roundId)
      const decidedAtMs = result?.decryptedAtMs
      // The aggregator closes a round at its deadline, or as soon as every eligible client has
      // contributed; only the aggregator knows when that last contribution came.
      const everyoneIn = round.lastContributionAtMs !== undefined && (round.contributors ?? 0) >= round.eligible.length
      const collectingEnd = Math.min(round.deadlineMs, decidedAtMs ?? at, everyoneIn ? round.lastContributionAtMs ?? Infinity : Infinity)
      const reason = result?.reason ?? round.reason
      rounds.push({
        roundId: round.roundId,
        status: round.status,
        aggregator: round.aggregator,
        encoding: round.encoding,
        length: round.length,
        contributors: result?.contributors ?? round.contributors ?? 0,
        minParticipants: round.minParticipants,
        eligible: round.eligible.length,
        openedAtMs: round.openedAtMs,
        deadlineMs: round.deadlineMs,
        keyFingerprint: round.keyFingerprint,
        ...(round.bytes === undefined ? {} : { bytes: round.bytes }),
        ...(reason === undefined ? {} : { reason }),
        ...(decidedAtMs === undefined ? {} : { decidedAtMs }),
        phases: {
          collectingMs: Math.max(0, collectingEnd - round.openedAtMs),
          ...(decidedAtMs === undefined ? {} : { decidingMs: Math.max(0, decidedAtMs - collectingEnd) })
        }
      })
    }
    // status.rounds is newest first, so the first round's key is the one in use.
    const keyFingerprint = status.rounds[0]?.keyFingerprint
    return {
      generatedAtMs: at,
      peerId: status.peerId,
      federationId: status.federationId,
      roles: status.roles,
      rosterVersion: status.rosterVersion,
      ...(keyFingerprint === undefined ? {} : { keyFingerprint }),
      health: healthView,
      members,
      rounds
    }
  }

  return { page, health, close: unsubscribe }
}
