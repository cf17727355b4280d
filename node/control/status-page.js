// The status page's script: polls /status.json and renders it; countdowns tick between polls.
// Plain browser JavaScript with no build step; every value is written as text, never as HTML.
'use strict'

const POLL_MS = 2000
let latest
// The server's clock minus ours, so countdowns use the daemon's idea of the deadline.
let skewMs = 0

function cell (row, text, className) {
  const td = row.insertCell()
  td.textContent = text
  if (className !== undefined) td.className = className
  return td
}

function badge (row, text, className) {
  const span = document.createElement('span')
  span.className = `badge ${className}`
  span.textContent = text
  row.insertCell().append(span)
}

function seconds (ms) {
  if (ms < 1000) return `${ms} ms`
  const s = Math.round(ms / 1000)
  return s < 120 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`
}

function ago (atMs, nowMs) {
  return atMs === undefined ? 'never' : `${seconds(Math.max(0, nowMs - atMs))} ago`
}

function short (peerId) {
  return peerId.length > 16 ? `${peerId.slice(0, 8)}…${peerId.slice(-6)}` : peerId
}

function render () {
  if (latest === undefined) return
  const now = Date.now() + skewMs
  const s = latest
  document.getElementById('peer').textContent = s.peerId
  document.getElementById('federation').textContent = s.federationId
  document.getElementById('roles').textContent = s.roles.join(', ')
  document.getElementById('roster').textContent = String(s.rosterVersion)
  document.getElementById('key').textContent = s.keyFingerprint ?? 'no round yet'
  const health = document.getElementById('health')
  health.textContent = s.health.ok ? `healthy (${s.health.state})` : `${s.health.state}: ${s.health.detail}`
  health.className = `badge ${s.health.ok ? 'ok' : 'bad'}`
  document.getElementById('updated').textContent = ago(s.generatedAtMs, now)

  const members = document.querySelector('#members tbody')
  members.replaceChildren()
  for (const m of s.members) {
    const row = members.insertRow()
    row.dataset.peerId = m.peerId
    const name = m.name === '' ? '(unnamed)' : m.name
    cell(row, m.self ? `${name}, this node` : name)
    cell(row, short(m.peerId), 'mono').title = m.peerId
    cell(row, m.roles.join(', '))
    badge(row, m.connected ? 'connected' : 'offline', m.connected ? 'connected' : 'offline')
    cell(row, m.connected ? 'now' : ago(m.lastSeenMs, now))
  }

  const rounds = document.querySelector('#rounds tbody')
  rounds.replaceChildren()
  if (s.rounds.length === 0) cell(rounds.insertRow(), 'no rounds yet').colSpan = 7
  for (const r of s.rounds) {
    const row = rounds.insertRow()
    row.dataset.roundId = r.roundId
    cell(row, `${r.roundId.slice(0, 12)} · ${r.encoding} × ${r.length}`, 'mono').title = r.roundId
    badge(row, r.status, r.status)
    const progress = row.insertCell()
    const bar = document.createElement('progress')
    bar.max = r.minParticipants
    bar.value = Math.min(r.contributors, r.minParticipants)
    progress.append(bar, ` ${r.contributors} of ${r.minParticipants} needed (${r.eligible} eligible)`)
    cell(row, r.status === 'open'
      ? (r.deadlineMs > now ? `in ${seconds(r.deadlineMs - now)}` : `passed ${seconds(now - r.deadlineMs)} ago`)
      : new Date(r.deadlineMs).toLocaleTimeString())
    const collecting = r.status === 'open' ? Math.max(0, Math.min(r.deadlineMs, now) - r.openedAtMs) : r.phases.collectingMs
    cell(row, `collecting ${seconds(collecting)}` + (r.phases.decidingMs === undefined ? '' : ` · deciding ${seconds(r.phases.decidingMs)}`))
    cell(row, r.bytes === undefined ? '–' : r.bytes.toLocaleString())
    cell(row, r.decidedAtMs === undefined ? (r.reason ?? '–') : `${r.status}${r.reason === undefined ? '' : `: ${r.reason}`}`)
  }
}

async function poll () {
  try {
    const response = await fetch('status.json', { cache: 'no-store' })
    if (!response.ok) throw new Error(`status.json answered ${response.status}`)
    latest = await response.json()
    skewMs = latest.generatedAtMs - Date.now()
    document.getElementById('error').textContent = ''
  } catch (err) {
    document.getElementById('error').textContent = `(daemon unreachable: ${err.message})`
  }
  render()
}

poll()
setInterval(poll, POLL_MS)
setInterval(render, 1000)
