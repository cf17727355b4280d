// A hand-written SVG line chart of test accuracy per round: federated against centralized.

export interface AccuracySeries {
  label: string
  /** Accuracy after round 1, 2, …, in [0, 1]. */
  values: readonly number[]
  color: string
}

const WIDTH = 720
const HEIGHT = 420
const MARGIN = { top: 48, right: 24, bottom: 56, left: 64 }

/**
 * The y axis spans [lower, 1], lower being the lowest value rounded down to
 * the next 5 %, so differences of a point stay visible; x spans rounds 1…R.
 */
export function renderAccuracyPlot (title: string, series: readonly AccuracySeries[]): string {
  const rounds = Math.max(1, ...series.map(s => s.values.length))
  const lowest = Math.min(1, ...series.flatMap(s => s.values))
  const lower = Math.max(0, Math.floor(lowest * 20 - 1e-9) / 20)
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom
  const x = (round: number): number => MARGIN.left + (rounds === 1 ? plotWidth / 2 : (round - 1) / (rounds - 1) * plotWidth)
  const y = (accuracy: number): number => MARGIN.top + (1 - (accuracy - lower) / (1 - lower || 1)) * plotHeight
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${WIDTH / 2}" y="24" text-anchor="middle" font-size="15">${escapeXml(title)}</text>`
  ]
  const yTicks = Math.round((1 - lower) * 100 / (1 - lower > 0.2 ? 10 : 1))
  for (let i = 0; i <= yTicks; i++) {
    const accuracy = lower + (1 - lower) * i / Math.max(1, yTicks)
    parts.push(`<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${fmt(y(accuracy))}" y2="${fmt(y(accuracy))}" stroke="#ddd"/>`,
      `<text x="${MARGIN.left - 8}" y="${fmt(y(accuracy) + 4)}" text-anchor="end">${(accuracy * 100).toFixed(0)} %</text>`)
  }
  for (let round = 1; round <= rounds; round++) {
    parts.push(`<text x="${fmt(x(round))}" y="${HEIGHT - MARGIN.bottom + 18}" text-anchor="middle">${round}</text>`)
  }
  parts.push(
    `<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${HEIGHT - MARGIN.bottom}" y2="${HEIGHT - MARGIN.bottom}" stroke="black"/>`,
    `<line x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${MARGIN.top}" y2="${HEIGHT - MARGIN.bottom}" stroke="black"/>`,
    `<text x="${MARGIN.left + plotWidth / 2}" y="${HEIGHT - 16}" text-anchor="middle">round</text>`,
    `<text transform="translate(16 ${MARGIN.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">test accuracy</text>`
  )
  series.forEach((s, k) => {
    const points = s.values.map((value, i) => `${fmt(x(i + 1))},${fmt(y(value))}`)
    parts.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${points.join(' ')}"/>`)
    for (const point of points) {
      const [cx, cy] = point.split(',')
      parts.push(`<circle cx="${cx}" cy="${cy}" r="3" fill="${s.color}"/>`)
    }
    const legendY = MARGIN.top + 16 + 18 * k
    parts.push(`<line x1="${WIDTH - 250}" x2="${WIDTH - 226}" y1="${legendY - 4}" y2="${legendY - 4}" stroke="${s.color}" stroke-width="2"/>`,
      `<text x="${WIDTH - 220}" y="${legendY}">${escapeXml(s.label)}</text>`)
  })
  parts.push('</svg>')
  return parts.join('\n') + '\n'
}

function fmt (value: number): string {
  return value.toFixed(1)
}

function escapeXml (text: string): string {
  return text.replace(/[<>&"']/g, c => `&#${c.charCodeAt(0)};`)
}
