// Limits and defaults of the control API, each with the reason for its value.

/**
 * Largest request body read: a submit of ~200k values as JSON numbers fits;
 * anything bigger is refused before it is buffered.
 */
export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024

/**
 * Longest result long-poll. Kept under undici's default 300 s headers
 * timeout, so a plain fetch() client never times out first; the client
 * loops for longer waits.
 */
export const DEFAULT_MAX_WAIT_SECONDS = 240

/**
 * Per-request deadline of the client. Generous because POST /submit encrypts
 * the whole vector and streams it to the aggregator before it answers.
 */
export const DEFAULT_REQUEST_TIMEOUT_MS = 120_000

/** Slack on top of a long-poll's own wait before the client gives up on the daemon. */
export const LONG_POLL_SLACK_MS = 15_000

/** Bytes of randomness in a control token: 256 bits, never guessable. */
export const TOKEN_BYTES = 32
