// Tests the hand-written SVG line chart: well-formed, every point placed inside the plot, log axis ticks by decade.
import assert from 'node:assert/strict'
import { renderLineChart } from '../../../scripts/bench/svg-chart.ts'

describe('scripts/bench/svg-chart', () => {
  const chart = {
    title: 'Round time <vs> size',
    xLabel: 'parameters',
    yLabel: 'seconds',
    series: [
      { name: 'first round', points: [[1_000_000, 120], [10_000, 4], [100_000, 15]] as Array<[number, number]> },
      { name: 'later round', points: [[10_000, 2], [100_000, 11], [1_000_000, 95]] as Array<[number, number]> }
    ]
  }

  it('draws one polyline and one circle per point for each series, with the text escaped', () => {
    const svg = renderLineChart({ ...chart, xLog: true })
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/)
    assert.match(svg, /<\/svg>\n$/)
    assert.equal(svg.match(/<polyline /g)?.length, 2)
    assert.equal(svg.match(/<circle /g)?.length, 6)
    assert.match(svg, /Round time &lt;vs&gt; size/)
    assert.match(svg, />first round</)
  })

  it('places every point inside the plot area, x in increasing order along each line', () => {
    const svg = renderLineChart({ ...chart, xLog: true })
    for (const match of svg.matchAll(/points="([^"]+)"/g)) {
      const coords = match[1]!.split(' ').map(pair => pair.split(',').map(Number) as [number, number])
      for (const [x, y] of coords) {
        assert.ok(x >= 64 && x <= 640 - 170, `x ${x}`)
        assert.ok(y >= 40 && y <= 400 - 56, `y ${y}`)
      }
      assert.deepEqual(coords.map(([x]) => x), [...coords.map(([x]) => x)].sort((a, b) => a - b))
    }
  })

  it('labels a log axis by decade and a linear one in five steps', () => {
    const log = renderLineChart({ ...chart, xLog: true })
    for (const label of ['10k', '100k', '1M']) assert.match(log, new RegExp(`>${label}</text>`))
    const linear = renderLineChart({ ...chart, series: [{ name: 'rss', points: [[3, 80], [20, 90]] }] })
    for (const label of ['0', '4', '8', '12', '16', '20']) assert.match(linear, new RegExp(`text-anchor="middle">${label}</text>`))
  })

  it('refuses an empty chart and a log axis with x <= 0', () => {
    assert.throws(() => renderLineChart({ ...chart, series: [] }), RangeError)
    assert.throws(() => renderLineChart({ ...chart, xLog: true, series: [{ name: 'a', points: [[0, 1]] }] }), RangeError)
  })
})
