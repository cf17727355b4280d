// An in-memory FederationNode for testing the layers above it (control API, daemon) without libp2p.
// It is a test double of the node's interface, not of its protocol: it checks roles and rounds the
// way the real node promises to, so the HTTP layer's error mapping can be exercised.
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type {
  FederationNode, NodeStatus, OpenRoundRequest, ReceiptView, Role, RosterView, RoundResultView, RoundView
} from '../../../node/api.ts'
import { UnknownMemberError } from '../../../protocol/roster/index.ts'
import { RoundClosedError } from '../../../protocol/round/index.ts'
import { RoleNotHeldError } from '../../../node/running-node.ts'
import { NotCoordinatorError } from '../../../node/services/membership-service.ts'

/** A fresh, valid libp2p peer ID string. */
export async function randomPeerId (): Promise<string> {
  return peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
}

export class FakeFederationNode implements FederationNode {
  readonly peerId: string
  readonly roles: Role[]
  started = false
  stopped = false
  /** Set to make the next node call throw it. */
  failNext: Error | undefined
  readonly submissions: Array<{ values: readonly number[], roundId?: string, weight?: number }> = []
  private rosterView: RosterView | undefined
  private readonly roundViews = new Map<string, RoundView>()
  private readonly resultViews = new Map<string, RoundResultView>()
  private readonly waiters = new Map<string, Array<(result: RoundResultView) => void>>()

  constructor (init: { peerId: string, roles: Role[], federationId?: string }) {
    this.peerId = init.peerId
    this.roles = init.roles
    if (init.roles.includes('coordinator')) {
      this.rosterView = {
        federationId: init.federationId ?? 'test-federation',
        version: 1,
        coordinator: init.peerId,
        members: [{ peerId: init.peerId, name: 'coordinator', roles: init.roles }]
      }
    }
  }

  async start (): Promise<void> { this.started = true }
  async stop (): Promise<void> { this.stopped = true }

  async status (): Promise<NodeStatus> {
    this.throwIfFailing()
    return {
      peerId: this.peerId,
      federationId: this.rosterView?.federationId ?? '',
      roles: this.roles,
      multiaddrs: this.multiaddrs(),
      connections: 2,
      rosterVersion: this.rosterView?.version ?? 0,
      rounds: [...this.roundViews.values()]
    }
  }

  multiaddrs (): string[] {
    return [`/ip4/127.0.0.1/tcp/4001/p2p/${this.peerId}`]
  }

  roster (): RosterView | undefined {
    return this.rosterView
  }

  async addMember (peerId: string, roles: Role[], name?: string): Promise<RosterView> {
    const roster = this.coordinatorRoster()
    this.rosterView = {
      ...roster,
      version: roster.version + 1,
      members: [...roster.members.filter(m => m.peerId !== peerId), { peerId, roles, name: name ?? '' }]
    }
    return this.rosterView
  }

  async removeMember (peerId: string): Promise<RosterView> {
    const roster = this.coordinatorRoster()
    if (!roster.members.some(m => m.peerId === peerId)) throw new UnknownMemberError(`no member ${peerId}`)
    this.rosterView = { ...roster, version: roster.version + 1, members: roster.members.filter(m => m.peerId !== peerId) }
    return this.rosterView
  }

  async openRound (request: OpenRoundRequest): Promise<RoundView> {
    const roster = this.coordinatorRoster()
    const round: RoundView = {
      roundId: `round-${this.roundViews.size + 1}`,
      status: 'open',
      aggregator: request.aggregator ?? roster.members.find(m => m.roles.includes('aggregator'))?.peerId ?? '',
      encoding: request.encoding,
      length: request.length,
      minParticipants: request.minParticipants,
      eligible: request.eligible ?? roster.members.filter(m => m.roles.includes('client')).map(m => m.peerId),
      deadlineMs: Date.now() + request.deadlineSeconds * 1000,
      openedAtMs: Date.now()
    }
    this.roundViews.set(round.roundId, round)
    return round
  }

  async rounds (): Promise<RoundView[]> {
    this.throwIfFailing()
    return [...this.roundViews.values()]
  }

  async round (roundId: string): Promise<RoundView | undefined> {
    this.throwIfFailing()
    return this.roundViews.get(roundId)
  }

  async result (roundId: string): Promise<RoundResultView | undefined> {
    this.coordinatorRoster()
    return this.resultViews.get(roundId)
  }

  async waitForResult (roundId: string, options: { signal?: AbortSignal } = {}): Promise<RoundResultView> {
    const existing = this.resultViews.get(roundId)
    if (existing !== undefined) return existing
    return new Promise((resolve, reject) => {
      const onAbort = (): void => { reject(options.signal?.reason) }
      options.signal?.addEventListener('abort', onAbort, { once: true })
      const list = this.waiters.get(roundId) ?? []
      list.push(result => {
        options.signal?.removeEventListener('abort', onAbort)
        resolve(result)
      })
      this.waiters.set(roundId, list)
    })
  }

  async submit (values: readonly number[], options: { roundId?: string, weight?: number } = {}): Promise<ReceiptView> {
    this.throwIfFailing()
    if (!this.roles.includes('client')) throw new RoleNotHeldError(`expected a client node, this one is ${this.roles.join('+')}`)
    const round = options.roundId === undefined ? [...this.roundViews.values()].at(-1) : this.roundViews.get(options.roundId)
    if (round === undefined || round.status !== 'open') throw new RoundClosedError('no open round to submit to')
    this.submissions.push({ values, roundId: options.roundId, weight: options.weight })
    return { roundId: round.roundId, client: this.peerId, aggregator: round.aggregator, digest: 'ab'.repeat(32), index: this.submissions.length - 1, acceptedAtMs: Date.now() }
  }

  /** Test hook: the round's result arrives, waking every waitForResult. */
  publishResult (result: RoundResultView): void {
    this.resultViews.set(result.roundId, result)
    const round = this.roundViews.get(result.roundId)
    if (round !== undefined) this.roundViews.set(result.roundId, { ...round, status: result.status })
    for (const wake of this.waiters.get(result.roundId) ?? []) wake(result)
    this.waiters.delete(result.roundId)
  }

  private coordinatorRoster (): RosterView {
    this.throwIfFailing()
    if (!this.roles.includes('coordinator') || this.rosterView === undefined) {
      throw new NotCoordinatorError(`expected the coordinator, this node is ${this.roles.join('+')}`)
    }
    return this.rosterView
  }

  private throwIfFailing (): void {
    const err = this.failNext
    this.failNext = undefined
    if (err !== undefined) throw err
  }
}
