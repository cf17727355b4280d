// Defaults shared by the role services; each says why it is what it is.

/** A request/response exchange (roster, open rounds, directory) moves kilobytes: 10 s is generous on any link. */
export const REQUEST_TIMEOUT_MS = 10_000

/**
 * A submission or aggregate transfer moves up to a few hundred MiB for very large
 * models; 5 minutes bounds a stalled stream without cutting off a slow honest link.
 */
export const TRANSFER_TIMEOUT_MS = 5 * 60_000

/** Default frame bound of a handler's reads (requests, headers); reads of larger frames, such as ciphertext chunks, pass their own. */
export const SMALL_FRAME_BYTES = 16 * 1024

/** How often a joining node retries the coordinator while waiting to be admitted. */
export const JOIN_RETRY_MIN_MS = 250
export const JOIN_RETRY_MAX_MS = 5_000

/** After a round's deadline the coordinator polls the aggregator for the aggregate this often, at most. */
export const AGGREGATE_POLL_MIN_MS = 200
export const AGGREGATE_POLL_MAX_MS = 5_000
