// Limits of vector specs, each with the reason it is what it is.

/**
 * Widest `int:<bits>`. This is an interface limit, not a packing one (a 2048-bit
 * key could hold far wider slots): values come from int64 tensors, the widest
 * integer type of the reference, and 62 is the widest bitwidth whose exclusive
 * bound 2^bits is itself a signed int64 (2^63 is not), so the bound can travel
 * anywhere the values can. Above 2^53 values must be passed as bigint, since a
 * JS number cannot hold every integer there.
 */
export const MAX_INT_BITS = 62
/** Widest weight, for the same reason as MAX_INT_BITS. */
export const MAX_WEIGHT_BITS = MAX_INT_BITS
/**
 * Finest `fixed:<f>`: the width of a double's significand. The binding
 * constraint is ceil(clip·2^f) <= 2^53 (checked separately), which keeps
 * x·2^f and its rounding exact in double arithmetic.
 */
export const MAX_FRACTION_BITS = 53
/**
 * Longest vector. A spec arrives in an announcement and sizes what the
 * aggregator allocates; 2^24 int:32 values are already ~160 MB of ciphertext.
 */
export const MAX_VECTOR_LENGTH = 2 ** 24

/**
 * Width of each ciphertext's tag t_j (docs/crypto.md, Tags). An aggregator that changes what is
 * summed must guess Σ t_j over the listed clients, keyed by secrets it never sees: each try
 * succeeds with probability 2^-TAG_BITS, and a failed one marks the round corrupt for everyone to
 * see. 64 bits put that beyond any number of rounds, for 64 + ⌈log₂ P⌉ + 1 bits per ciphertext
 * (about 3% of a 2048-bit plaintext); DESIGN.md asks for at least 40.
 */
export const TAG_BITS = 64
/** The per-round, per-client tag key: 256 bits, the HMAC-SHA-256 key size. */
export const TAG_KEY_BYTES = 32
