// mulberry32: a tiny seeded PRNG for tests that must draw the same numbers on every run of a seed.
export { uniformRandom as seededRandom } from '../../node/training/spam/random.ts'
