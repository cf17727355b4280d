// Renders a small line chart as standalone SVG text: axes with ticks, one polyline per series, a legend.

export interface ChartSeries {
  name: string
  /** [x, y] pairs; drawn in x order. */
  points: Array<[number, number]>
}

export interface LineChart {
  title: string
  xLabel: string
  yLabel: string
  series: ChartSeries[]
  /** Logarithmic x axis (decades), for sizes spanning orders of magnitude. @default false */
  xLog?: boolean
}

const WIDTH = 640
const HEIGHT = 400
const MARGIN = { top: 40, right: 170, bottom: 56, left: 64 }
/** Distinguishable on white and in greyscale print (Okabe–Ito palette). */
const COLORS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9']

export function renderLineChart (chart: LineChart): string {
  const points = chart.series.flatMap(series => series.points)
  if (points.length === 0) throw new RangeError('chart: expected at least one point')
  const xs = points.map(([x]) => x)
  const ys = points.map(([, y]) => y)
  const xLog = chart.xLog ?? false
  if (xLog && xs.some(x => x <= 0)) throw new RangeError('chart: a log x axis needs x > 0')
  const fx = xLog ? Math.log10 : (x: number) => x
  const [xMin, xMax] = xLog
    ? [10 ** Math.floor(Math.log10(Math.min(...xs))), 10 ** Math.ceil(Math.log10(Math.max(...xs)))]
    : [Math.min(0, ...xs), niceCeiling(Math.max(...xs))]
  const yMax = niceCeiling(Math.max(...ys))
  const plotW = WIDTH - MARGIN.left - MARGIN.right
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom
  const px = (x: number): number => MARGIN.left + (fx(x) - fx(xMin)) / ((fx(xMax) - fx(xMin)) || 1) * plotW
  const py = (y: number): number => MARGIN.top + plotH - y / (yMax || 1) * plotH

  const xTicks = xLog ? decades(xMin, xMax) : linearTicks(xMax, xMin)
  const yTicks = linearTicks(yMax, 0)
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="15">${escape(chart.title)}</text>`
  ]
  for (const tick of yTicks) {
    const y = py(tick).toFixed(1)
    parts.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${y}" y2="${y}" stroke="#e5e5e5"/>`,
      `<text x="${MARGIN.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${formatNumber(tick)}</text>`)
  }
  for (const tick of xTicks) {
    const x = px(tick).toFixed(1)
    parts.push(`<line x1="${x}" x2="${x}" y1="${MARGIN.top}" y2="${MARGIN.top + plotH}" stroke="#f0f0f0"/>`,
      `<text x="${x}" y="${MARGIN.top + plotH + 18}" text-anchor="middle">${formatNumber(tick)}</text>`)
  }
  parts.push(
    `<line x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${MARGIN.top}" y2="${MARGIN.top + plotH}" stroke="black"/>`,
    `<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${MARGIN.top + plotH}" y2="${MARGIN.top + plotH}" stroke="black"/>`,
    `<text x="${MARGIN.left + plotW / 2}" y="${HEIGHT - 14}" text-anchor="middle">${escape(chart.xLabel)}</text>`,
    `<text transform="translate(16 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escape(chart.yLabel)}</text>`
  )
  chart.series.forEach((series, i) => {
    const color = COLORS[i % COLORS.length]!
    const sorted = [...series.points].sort((a, b) => a[0] - b[0])
    parts.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${sorted.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ')}"/>`)
    for (const [x, y] of sorted) parts.push(`<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="3" fill="${color}"><title>${formatNumber(x)}: ${y}</title></circle>`)
    const legendY = MARGIN.top + 10 + i * 20
    parts.push(`<line x1="${WIDTH - MARGIN.right + 16}" x2="${WIDTH - MARGIN.right + 36}" y1="${legendY}" y2="${legendY}" stroke="${color}" stroke-width="2"/>`,
      `<text x="${WIDTH - MARGIN.right + 42}" y="${legendY}" dominant-baseline="middle">${escape(series.name)}</text>`)
  })
  parts.push('</svg>')
  return parts.join('\n') + '\n'
}

/** The smallest 1, 2 or 5 times a power of ten that is at least `value`. */
function niceCeiling (value: number): number {
  if (value <= 0) return 1
  const power = 10 ** Math.floor(Math.log10(value))
  return [1, 2, 5, 10].map(m => m * power).find(candidate => candidate >= value)!
}

/** Five steps from `min` to `max`. */
function linearTicks (max: number, min: number): number[] {
  return Array.from({ length: 6 }, (_, i) => min + (max - min) * i / 5)
}

function decades (min: number, max: number): number[] {
  const ticks: number[] = []
  for (let tick = min; tick <= max * 1.0001; tick *= 10) ticks.push(tick)
  return ticks
}

/** 1000000 → 1M, 10000 → 10k, 2.5 → 2.5. */
function formatNumber (value: number): string {
  if (value >= 1e6 && value % 1e5 === 0) return `${value / 1e6}M`
  if (value >= 1e3 && value % 100 === 0) return `${value / 1e3}k`
  return String(Math.round(value * 100) / 100)
}

function escape (text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}
