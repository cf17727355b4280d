// Test helper: finds live processes whose command line mentions a path, to prove none were left behind.
import { readdir, readFile } from 'node:fs/promises'

/** PIDs (other than ours) whose /proc/<pid>/cmdline contains `text`; zombies have an empty cmdline and do not count. */
export async function processesMentioning (text: string): Promise<number[]> {
  const pids: number[] = []
  for (const entry of await readdir('/proc')) {
    const pid = Number(entry)
    if (!Number.isInteger(pid) || pid === process.pid) continue
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')
    if (cmdline.includes(text)) pids.push(pid)
  }
  return pids
}
