// Tests the daemon's log lines: events as structured JSON fields, readable lines for a terminal, and --log-level.
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { pino } from 'pino'
import { initNode } from '../../../node/cli/commands/init.ts'
import { loadStartConfig } from '../../../node/cli/commands/start.ts'
import { formatLogLine } from '../../../node/events/log-format.ts'
import { loggedEvents } from '../../../node/events/node-events.ts'

describe('node/events: log lines', () => {
  it('logs an event as one JSON line with event, peerId and roundId fields', () => {
    const lines: string[] = []
    const sink = new Writable({ write: (chunk: Buffer, _encoding, done) => { lines.push(chunk.toString()); done() } })
    const events = loggedEvents(pino({ name: 'fedagg', level: 'info' }, sink))
    events.emit('info', 'submission.accepted', { peerId: '12D3KooWA', roundId: 'r-1', index: 0 }, 'accepted')
    events.emit('debug', 'roster.updated', {}, 'below the level: dropped')
    assert.equal(lines.length, 1)
    const record = JSON.parse(lines[0] as string)
    assert.deepEqual([record.event, record.peerId, record.roundId, record.index, record.msg, record.level], ['submission.accepted', '12D3KooWA', 'r-1', 0, 'accepted', 30])
  })

  it('renders a JSON line readably for a terminal, and passes other text through', () => {
    const line = JSON.stringify({ level: 40, time: Date.UTC(2026, 0, 2, 3, 4, 5), pid: 1, hostname: 'h', name: 'fedagg', event: 'join.not-admitted', peerId: '12D3KooWB', msg: 'not admitted yet' })
    assert.equal(formatLogLine(line), '03:04:05 WARN  join.not-admitted  not admitted yet  peerId=12D3KooWB\n')
    assert.equal(formatLogLine('plain text'), 'plain text')
  })

  it('start --log-level overrides the config file\'s logLevel', async () => {
    const root = await mkdtemp(join(tmpdir(), 'fedagg-log-level-'))
    try {
      const dataDir = join(root, 'node')
      await initNode({ dataDir, roles: ['client'] })
      assert.equal((await loadStartConfig({ dataDir, dataDirGiven: true }, {})).logLevel, 'info')
      assert.equal((await loadStartConfig({ dataDir, dataDirGiven: true, logLevel: 'debug' }, {})).logLevel, 'debug')
    } finally {
      await rm(root, { recursive: true, force: true })
    }
  })
})
