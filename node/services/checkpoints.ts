// Named points in the crash-sensitive paths, where a test can stop a node to prove recovery.

/**
 * - aggregator:before-write: a submission passed every check but is not yet committed
 * - aggregator:after-write: committed, receipt not yet signed or sent
 * - aggregator:after-receipt: the receipt has been written to the client
 * - coordinator:after-record: the result is stored (round marked decrypted) but not yet published
 */
export type CheckpointName =
  | 'aggregator:before-write'
  | 'aggregator:after-write'
  | 'aggregator:after-receipt'
  | 'coordinator:after-record'

/** Called synchronously at each checkpoint; production nodes pass none. */
export type Checkpoint = (name: CheckpointName) => void

export const NO_CHECKPOINT: Checkpoint = () => {}
