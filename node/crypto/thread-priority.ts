// Lowers the calling thread's scheduling priority: precomputation on worker threads then takes only the CPU nothing else wants.
import { readlinkSync } from 'node:fs'
import { getPriority, setPriority } from 'node:os'

/**
 * Nice increment of the encryption pool's threads: enough to reach 19, the lowest priority short
 * of SCHED_IDLE (which Node cannot set). Their work (randomizers for the noise pools, whole-vector
 * encryption) is throughput work; the event loops of the same process and machine (streams,
 * checks, the coordinator's decryption) are what a round waits on. At 19 a busy worker weighs 15
 * against 1024 for a thread at nice 0 (CFS weights), so it takes what such a thread leaves idle.
 * Linux weighs threads against each other only within one scheduling group (a session's
 * autogroup, a cgroup): between two services in groups of their own, each still gets its share.
 */
export const WORKER_NICE_INCREMENT = 19

/**
 * Adds `increment` to this thread's nice value, capped at 19. Linux keeps a nice value per thread
 * and setpriority(PRIO_PROCESS, tid) changes that thread alone; /proc/thread-self names the tid,
 * which Node does not expose. Returns the new value, or undefined where there is no /proc (or
 * the call is refused), in which case nothing changed. One-way for an unprivileged process:
 * lowering the value again needs CAP_SYS_NICE.
 */
export function lowerThreadPriority (increment: number): number | undefined {
  let tid: number
  try {
    tid = Number(readlinkSync('/proc/thread-self').split('/').at(-1))
  } catch {
    return undefined
  }
  if (!Number.isSafeInteger(tid) || tid <= 0) return undefined
  try {
    const next = Math.min(19, getPriority(tid) + increment)
    setPriority(tid, next)
    return getPriority(tid)
  } catch {
    return undefined
  }
}
