// The nice value of every thread of this process, read from /proc (Linux).
import { readdirSync, readFileSync } from 'node:fs'

/** Field 19 of /proc/self/task/<tid>/stat is the thread's nice value; the fields start after the ")" closing its name. */
export function threadNiceValues (): number[] {
  return readdirSync('/proc/self/task').map(tid => {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8')
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16])
  })
}
