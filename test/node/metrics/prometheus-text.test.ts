// Tests reading sample values back out of Prometheus text exposition.
import assert from 'node:assert/strict'
import { sumSamples } from '../../../node/metrics/prometheus-text.ts'

describe('node/metrics/prometheus-text', () => {
  const exposition = [
    '# HELP fedagg_bytes_sent_total Payload bytes',
    '# TYPE fedagg_bytes_sent_total counter',
    'fedagg_bytes_sent_total{protocol="submit"} 1200',
    'fedagg_bytes_sent_total{protocol="odd } label"} 30 1700000000000',
    'fedagg_bytes_sent_total_extra 999',
    'fedagg_bytes_sent 5',
    'fedagg_connected_peers 2',
    ''
  ].join('\n')

  it('sums every label set of one metric and nothing else', () => {
    assert.equal(sumSamples(exposition, 'fedagg_bytes_sent_total'), 1230)
    assert.equal(sumSamples(exposition, 'fedagg_bytes_sent'), 5)
    assert.equal(sumSamples(exposition, 'fedagg_connected_peers'), 2)
  })

  it('returns 0 for a metric with no samples', () => {
    assert.equal(sumSamples(exposition, 'fedagg_decryptions_total'), 0)
  })
})
