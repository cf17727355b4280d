// Tests the per-node Prometheus metrics: isolation between nodes, exposition format, bounded labels.
import assert from 'node:assert/strict'
import { createFedaggMetrics } from '../../../node/metrics/metrics.ts'
import { sumSamples } from '../../../node/metrics/prometheus-text.ts'

describe('node/metrics/metrics', () => {
  it('keeps separate counts for two nodes in one process', async () => {
    const a = createFedaggMetrics()
    const b = createFedaggMetrics()
    a.submissionAccepted()
    a.submissionAccepted()
    b.submissionAccepted()
    assert.equal(sumSamples(await a.render(), 'fedagg_submissions_accepted_total'), 2)
    assert.equal(sumSamples(await b.render(), 'fedagg_submissions_accepted_total'), 1)
  })

  it('records round phase times as a histogram per phase, summing the seconds', async () => {
    const metrics = createFedaggMetrics()
    metrics.phaseSeconds('encrypt', 1.5)
    metrics.phaseSeconds('encrypt', 0.25)
    metrics.phaseSeconds('decrypt', 0.02)
    const text = await metrics.render()
    assert.match(text, /^# TYPE fedagg_round_phase_seconds histogram$/m)
    assert.match(text, /^fedagg_round_phase_seconds_sum\{phase="encrypt"\} 1\.75$/m)
    assert.match(text, /^fedagg_round_phase_seconds_count\{phase="encrypt"\} 2$/m)
    assert.match(text, /^fedagg_round_phase_seconds_bucket\{le="0\.05",phase="decrypt"\} 1$/m)
    assert.doesNotMatch(text, /phase="transfer"/)
  })

  it('renders every fedagg series in Prometheus text format', async () => {
    const metrics = createFedaggMetrics({ labels: { node: 'n1' } })
    metrics.submissionAccepted()
    metrics.submissionRejected('DuplicateSubmissionError')
    metrics.roundOpened()
    metrics.roundReleased()
    metrics.roundFailed('quorum')
    metrics.decryption('ok')
    metrics.bytesReceived('submit', 1000)
    metrics.bytesSent('submit', 250)
    metrics.bytesSent('aggregate', 50)
    metrics.phaseSeconds('encrypt', 1.5)
    metrics.phaseSeconds('encrypt', 0.25)
    metrics.phaseSeconds('decrypt', 2)
    metrics.observeConnectedPeers(async () => 3)
    const text = await metrics.render()
    assert.match(metrics.contentType, /^text\/plain; version=0\.0\.4/)
    assert.match(text, /^# HELP fedagg_submissions_accepted_total /m)
    assert.match(text, /^# TYPE fedagg_submissions_accepted_total counter$/m)
    assert.match(text, /^fedagg_submissions_rejected_total\{reason="DuplicateSubmissionError",node="n1"\} 1$/m)
    assert.match(text, /^fedagg_rounds_failed_total\{reason="quorum",node="n1"\} 1$/m)
    assert.match(text, /^fedagg_decryptions_total\{outcome="ok",node="n1"\} 1$/m)
    assert.match(text, /^# TYPE fedagg_connected_peers gauge$/m)
    assert.match(text, /^fedagg_connected_peers\{node="n1"\} 3$/m)
    assert.equal(sumSamples(text, 'fedagg_rounds_opened_total'), 1)
    assert.equal(sumSamples(text, 'fedagg_rounds_released_total'), 1)
    assert.equal(sumSamples(text, 'fedagg_bytes_received_total'), 1000)
    assert.equal(sumSamples(text, 'fedagg_bytes_sent_total'), 300)
    assert.equal(sumSamples(text, 'fedagg_round_phase_seconds_sum', { phase: 'encrypt' }), 1.75)
    assert.equal(sumSamples(text, 'fedagg_round_phase_seconds_sum', { phase: 'decrypt', node: 'n1' }), 2)
    assert.equal(sumSamples(text, 'fedagg_round_phase_seconds_sum', { phase: 'aggregate' }), 0)
  })

  it('folds label values beyond a fixed number into "other"', async () => {
    const metrics = createFedaggMetrics()
    for (let i = 0; i < 100; i++) metrics.submissionRejected(`Reason${i}`)
    const text = await metrics.render()
    const series = text.split('\n').filter(line => line.startsWith('fedagg_submissions_rejected_total{'))
    assert.equal(series.length, 33)
    assert.match(text, /^fedagg_submissions_rejected_total\{reason="other"\} 68$/m)
    assert.equal(sumSamples(text, 'fedagg_submissions_rejected_total'), 100)
  })

  it('refuses negative or fractional byte counts', () => {
    const metrics = createFedaggMetrics()
    assert.throws(() => { metrics.bytesSent('submit', -1) }, RangeError)
    assert.throws(() => { metrics.bytesReceived('submit', 1.5) }, RangeError)
  })
})
