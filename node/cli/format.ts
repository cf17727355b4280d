// Human-readable renderings of the node's views for the CLI (--json prints the views themselves).
import type { NodeStatus, ReceiptView, RosterView, RoundResultView, RoundView } from '../api.ts'

export function formatRoster (roster: RosterView): string {
  const lines = [`federation ${roster.federationId}, roster version ${roster.version}, coordinator ${roster.coordinator}`]
  for (const member of roster.members) {
    lines.push(`  ${member.peerId}  ${member.roles.join(',').padEnd(24)} ${member.name}`)
  }
  return lines.join('\n')
}

export function formatRound (round: RoundView): string {
  const contributors = round.contributors === undefined ? '' : `, ${round.contributors} contributed`
  const reason = round.reason === undefined ? '' : ` (${round.reason})`
  return [
    `round ${round.roundId}: ${round.status}${reason}${contributors}`,
    `  ${round.encoding} x ${round.length}, at least ${round.minParticipants} of ${round.eligible.length} eligible clients`,
    `  aggregator ${round.aggregator}`,
    `  deadline ${new Date(round.deadlineMs).toISOString()}`
  ].join('\n')
}

export function formatRounds (rounds: RoundView[]): string {
  if (rounds.length === 0) return 'no rounds'
  return rounds.map(round => `${round.roundId}  ${round.status.padEnd(9)} ${round.encoding} x ${round.length}  opened ${new Date(round.openedAtMs).toISOString()}`).join('\n')
}

/** Values a terminal shows of a result vector; the rest goes to `round result --output FILE` (or --json). */
export const RESULT_PREVIEW_VALUES = 20

export function formatResult (result: RoundResultView): string {
  const lines = [`round ${result.roundId}: ${result.status}${result.reason === undefined ? '' : ` (${result.reason})`}, ${result.contributors} contributors`]
  if (result.sum.length > 0) lines.push(`sum  ${preview(result.sum)}`)
  if (result.mean.length > 0) lines.push(`mean ${preview(result.mean)}`)
  return lines.join('\n')
}

function preview (values: ReadonlyArray<string | number>): string {
  if (values.length <= RESULT_PREVIEW_VALUES) return `[${values.join(', ')}]`
  const more = values.length - RESULT_PREVIEW_VALUES
  return `[${values.slice(0, RESULT_PREVIEW_VALUES).join(', ')}, …] (${more} more of ${values.length}; write them all with --output FILE)`
}

export function formatReceipt (receipt: ReceiptView): string {
  return [
    `accepted by ${receipt.aggregator} for round ${receipt.roundId} (index ${receipt.index})`,
    `  digest ${receipt.digest}`
  ].join('\n')
}

export function formatStatus (status: NodeStatus): string {
  const lines = [
    `peer ID    ${status.peerId}`,
    `federation ${status.federationId === '' ? '(not joined)' : status.federationId}, roster version ${status.rosterVersion}`,
    `           ${status.federation.connected ? 'connected' : 'NOT connected'} (${status.federation.state}): ${status.federation.detail}`,
    `roles      ${status.roles.join(', ')}`,
    `peers      ${status.connections} connected`,
    ...status.multiaddrs.map((addr, i) => `${i === 0 ? 'listening ' : '          '} ${addr}`)
  ]
  if (status.rounds.length > 0) lines.push('rounds', ...formatRounds(status.rounds).split('\n').map(line => `  ${line}`))
  return lines.join('\n')
}
