// Tests the schema's field rules: loopback-only control host, join ending in /p2p/<peerId>, key sizes, ids, yamux bounds.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { DEFAULT_CONFIG, configSchema } from '../../config/index.ts'
import { PEER_ID } from './helpers.ts'

/** Validates defaults with one field replaced; returns the issue messages at that path. */
function problemsWith (path: string[], value: unknown): string[] {
  const config = structuredClone(DEFAULT_CONFIG) as unknown as Record<string, unknown>
  let object = config
  for (const segment of path.slice(0, -1)) object = object[segment] as Record<string, unknown>
  object[path[path.length - 1] as string] = value
  const result = configSchema.safeParse(config)
  return result.success ? [] : result.error.issues.map(issue => `${issue.path.join('.')}: ${issue.message}`)
}

describe('config/schema', () => {
  it('accepts the defaults', () => {
    assert.deepEqual(configSchema.parse(DEFAULT_CONFIG), DEFAULT_CONFIG)
  })

  describe('control.host is loopback only', () => {
    for (const host of ['127.0.0.1', '127.8.9.10', '::1', 'localhost']) {
      it(`accepts ${host}`, () => { assert.deepEqual(problemsWith(['control', 'host'], host), []) })
    }
    for (const host of ['0.0.0.0', '10.0.0.1', '192.168.1.2', '::', '::ffff:10.0.0.1', 'example.com', 'localhost.evil.example', '']) {
      it(`refuses ${JSON.stringify(host)}`, () => {
        assert.deepEqual(problemsWith(['control', 'host'], host), ['control.host: a loopback address (127.0.0.0/8, ::1 or localhost)'])
      })
    }
  })

  describe('join must end in /p2p/<peerId>', () => {
    it('accepts dns4, ip4 and ip6 bootstrap addresses ending in a peer ID', () => {
      for (const addr of [`/dns4/coord.example/tcp/4001/p2p/${PEER_ID}`, `/ip4/10.1.2.3/tcp/1/p2p/${PEER_ID}`, `/ip6/::1/tcp/1/p2p/${PEER_ID}`]) {
        assert.deepEqual(problemsWith(['join'], addr), [], addr)
      }
    })

    it('refuses an address without /p2p/', () => {
      assert.deepEqual(problemsWith(['join'], '/ip4/10.1.2.3/tcp/1'), ['join: a multiaddr ending in /p2p/<peerId>'])
    })

    it('refuses /p2p/ that is not the last component', () => {
      assert.deepEqual(problemsWith(['join'], `/ip4/10.1.2.3/tcp/1/p2p/${PEER_ID}/p2p-circuit`), ['join: a multiaddr ending in /p2p/<peerId>'])
    })

    it('refuses a /p2p/ value that is not a peer ID', () => {
      assert.deepEqual(problemsWith(['join'], '/ip4/10.1.2.3/tcp/1/p2p/notapeer'), ['join: a multiaddr ending in /p2p/<peerId> ("notapeer" is not a peer ID)'])
    })

    it('refuses text that is not a multiaddr, with the parser\'s reason', () => {
      assert.deepEqual(problemsWith(['join'], 'coord.example:4001'), ['join: a multiaddr ending in /p2p/<peerId> (String multiaddr must start with "/")'])
    })
  })

  it('validates every listen and announce address', () => {
    assert.deepEqual(problemsWith(['listen'], ['/ip4/127.0.0.1/tcp/1', '/ip4/999.0.0.1/tcp/1']), ['listen.1: a multiaddr (Invalid IPv4 address "999.0.0.1")'])
    assert.deepEqual(problemsWith(['announce'], ['/dns4/a.example/tcp/1']), [])
    assert.deepEqual(problemsWith(['listen'], []), [])
  })

  it('allows 2048, 3072 and 4096-bit keys and refuses shorter ones', () => {
    for (const bits of [2048, 3072, 4096]) assert.deepEqual(problemsWith(['keyBits'], bits), [])
    for (const bits of [512, 1024, 2047, 3000]) assert.equal(problemsWith(['keyBits'], bits).length, 1, String(bits))
  })

  it('takes federation ids of [a-z0-9-]{1,64} not starting with "-"', () => {
    fc.assert(fc.property(fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,63}$/), id => {
      assert.deepEqual(problemsWith(['federationId'], id), [])
    }))
    for (const id of ['', '-lead', 'UPPER', 'has space', 'a.b', 'x'.repeat(65)]) {
      assert.equal(problemsWith(['federationId'], id).length, 1, id)
    }
  })

  it('requires at least one role, without repeats, from the protocol\'s roles', () => {
    assert.deepEqual(problemsWith(['roles'], ['coordinator', 'client']), [])
    assert.equal(problemsWith(['roles'], []).length, 1)
    assert.equal(problemsWith(['roles'], ['client', 'client']).length, 1)
    assert.equal(problemsWith(['roles'], ['observer']).length, 1)
  })

  it('refuses a minParticipants of 1 or 2 and one above maxParticipants', () => {
    assert.equal(problemsWith(['round', 'minParticipants'], 1).length, 1)
    assert.equal(problemsWith(['round', 'minParticipants'], 2).length, 1)
    assert.deepEqual(problemsWith(['round', 'minParticipants'], 17), ['round.minParticipants: at most round.maxParticipants (16)'])
  })

  it('takes client.minParticipants from 3 up, default 3', () => {
    assert.equal(DEFAULT_CONFIG.client.minParticipants, 3)
    assert.equal(problemsWith(['client', 'minParticipants'], 2).length, 1)
    assert.deepEqual(problemsWith(['client', 'minParticipants'], 5), [])
  })

  it('bounds round.chunkCiphertexts by what one CiphertextChunk carries at the smallest key', () => {
    // 1 MiB of 512-byte ciphertexts (2048-bit n); senders cap larger settings at the frame limit anyway.
    assert.deepEqual(problemsWith(['round', 'chunkCiphertexts'], 2048), [])
    assert.deepEqual(problemsWith(['round', 'chunkCiphertexts'], 2049), ['round.chunkCiphertexts: a positive integer <= 2048'])
    assert.deepEqual(problemsWith(['round', 'chunkCiphertexts'], 0), ['round.chunkCiphertexts: a positive integer <= 2048'])
  })

  it('holds yamux options to what @chainsafe/libp2p-yamux accepts', () => {
    assert.equal(problemsWith(['limits', 'yamux', 'maxMessageSize'], 1023).length, 1)
    assert.deepEqual(problemsWith(['limits', 'yamux', 'maxMessageSize'], 1024), [])
    assert.equal(problemsWith(['limits', 'yamux', 'maxStreamWindowSize'], 256 * 1024 - 1).length, 1)
    assert.equal(problemsWith(['limits', 'yamux', 'maxStreamWindowSize'], 2 ** 32).length, 1)
  })

  it('has a stream limit for every fedagg protocol and refuses unknown protocol names', () => {
    assert.deepEqual(Object.keys(DEFAULT_CONFIG.limits.maxInboundStreams).sort(), ['aggregate', 'keyproof', 'model', 'peers', 'roster', 'rounds', 'submit', 'tagkey'])
    assert.deepEqual(problemsWith(['limits', 'maxInboundStreams'], { ...DEFAULT_CONFIG.limits.maxInboundStreams, gossip: 3 }), ['limits.maxInboundStreams: an object'])
  })

  it('refuses any positive-integer limit given as zero, a fraction or text', () => {
    fc.assert(fc.property(fc.constantFrom('maxConnections', 'streamTimeoutMs', 'maxSubmissionBytes', 'dialTimeoutMs'),
      fc.oneof(fc.constant(0), fc.integer({ max: -1 }), fc.double({ min: 0.01, max: 1e6, noInteger: true }), fc.string()), (field, value) => {
        assert.deepEqual(problemsWith(['limits', field], value), [`limits.${field}: a positive integer`])
      }))
  })
})
