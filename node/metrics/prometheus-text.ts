// Reads values back out of Prometheus text exposition, e.g. a node's /metrics scraped by the local launcher.

/**
 * Sums every sample of `metricName` across its label sets. Lines look like
 * `name{label="v",...} value [timestamp]` or `name value`; comments (#) and
 * other metrics are skipped. With `labels`, only samples carrying each
 * `name="value"` pair count. Returns 0 when the metric has no samples.
 */
export function sumSamples (exposition: string, metricName: string, labels: Record<string, string> = {}): number {
  const required = Object.entries(labels).map(([name, value]) => `${name}=${JSON.stringify(value)}`)
  let total = 0
  for (const line of exposition.split('\n')) {
    if (line.startsWith('#') || !line.startsWith(metricName)) continue
    if (!required.every(pair => line.includes(pair))) continue
    const rest = line.slice(metricName.length)
    let valueText: string
    if (rest.startsWith('{')) {
      // Label values may contain spaces and braces inside quotes, so find the
      // closing brace from the end of the label block, not the first '}'.
      const close = rest.lastIndexOf('}')
      if (close < 0) continue
      valueText = rest.slice(close + 1)
    } else if (rest.startsWith(' ')) {
      valueText = rest
    } else {
      continue // a longer metric name sharing this prefix
    }
    const value = Number(valueText.trim().split(' ')[0])
    if (Number.isFinite(value)) total += value
  }
  return total
}
