// Signed documents: honest signatures verify; forged, re-targeted or corrupted ones are refused with typed errors.
import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import fc from 'fast-check'
import { DOMAINS, WIRE } from '../../../protocol/messages/index.ts'
import { openSignedMessage, signingBytes, signMessage, signPayload, verifySignedPayload } from '../../../protocol/signing/index.ts'
import { testIdentity } from './identities.ts'
import type { TestIdentity } from './identities.ts'

const payload = new TextEncoder().encode('the roster, version 7')

describe('protocol/signing sign', () => {
  let alice: TestIdentity
  let mallory: TestIdentity

  before(async () => {
    alice = await testIdentity(1)
    mallory = await testIdentity(2)
  })

  it('verifies its own signature and returns the payload, with and without an expected signer', async () => {
    const signed = await signPayload(alice.privateKey, DOMAINS.roster, payload)
    assert.equal(signed.signer, alice.id)
    assert.equal(signed.signature.length, 64)
    assert.deepEqual(await verifySignedPayload(signed, DOMAINS.roster), payload)
    assert.deepEqual(await verifySignedPayload(signed, DOMAINS.roster, alice.peerId), payload)
    assert.deepEqual(await verifySignedPayload(signed, DOMAINS.roster, alice.id), payload)
  })

  it('works with a freshly generated key, not only seeded ones', async () => {
    const key = await generateKeyPair('Ed25519')
    const signed = await signPayload(key, DOMAINS.receipt, payload)
    assert.deepEqual(await verifySignedPayload(signed, DOMAINS.receipt), payload)
  })

  it('refuses a document signed by another key than expected', async () => {
    const signed = await signPayload(mallory.privateKey, DOMAINS.roster, payload)
    await assert.rejects(verifySignedPayload(signed, DOMAINS.roster, alice.peerId), { name: 'UnexpectedSignerError' })
  })

  it('refuses a signature made by one key but claiming another signer', async () => {
    const forged = { ...await signPayload(mallory.privateKey, DOMAINS.roster, payload), signer: alice.id }
    await assert.rejects(verifySignedPayload(forged, DOMAINS.roster, alice.id), { name: 'InvalidSignatureError' })
  })

  it('refuses a document offered under another domain, claimed or re-labelled', async () => {
    const receipt = await signPayload(alice.privateKey, DOMAINS.receipt, payload)
    await assert.rejects(verifySignedPayload(receipt, DOMAINS.roster), { name: 'UnexpectedDomainError' })
    const relabelled = { ...receipt, domain: DOMAINS.roster }
    await assert.rejects(verifySignedPayload(relabelled, DOMAINS.roster), { name: 'InvalidSignatureError' })
  })

  it('refuses any single flipped bit in payload or signature (property)', async () => {
    const signed = await signPayload(alice.privateKey, DOMAINS.transcript, payload)
    await fc.assert(fc.asyncProperty(fc.boolean(), fc.nat(), fc.integer({ min: 0, max: 7 }), async (inPayload, at, bit) => {
      const target = inPayload ? signed.payload.slice() : signed.signature.slice()
      target[at % target.length]! ^= 1 << bit
      const tampered = inPayload ? { ...signed, payload: target } : { ...signed, signature: target }
      await assert.rejects(verifySignedPayload(tampered, DOMAINS.transcript, alice.id), { name: 'InvalidSignatureError' })
    }), { numRuns: 100 })
  })

  it('refuses truncated or missing signatures', async () => {
    const signed = await signPayload(alice.privateKey, DOMAINS.result, payload)
    await assert.rejects(verifySignedPayload({ ...signed, signature: signed.signature.subarray(0, 63) }, DOMAINS.result), { name: 'InvalidSignatureError' })
    await assert.rejects(verifySignedPayload({ ...signed, signature: new Uint8Array(0) }, DOMAINS.result), { name: 'InvalidSignatureError' })
  })

  it('refuses a signer that is not a canonical Ed25519 peer ID', async () => {
    const signed = await signPayload(alice.privateKey, DOMAINS.result, payload)
    for (const signer of ['', 'not-a-peer-id', alice.id.slice(0, -1), 'QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N']) {
      await assert.rejects(verifySignedPayload({ ...signed, signer }, DOMAINS.result), { name: 'InvalidPeerIdError' }, signer)
    }
  })

  it('refuses to sign with a malformed domain or a non-Ed25519 key', async () => {
    await assert.rejects(signPayload(alice.privateKey, 'Bad Domain', payload), { name: 'InvalidDomainError' })
    await assert.rejects(signPayload(alice.privateKey, '', payload), { name: 'InvalidDomainError' })
    const secp = await generateKeyPair('secp256k1')
    await assert.rejects(signPayload(secp, DOMAINS.roster, payload), { name: 'UnsupportedKeyTypeError' })
  })

  it('length-prefixes the domain so domain/payload splits cannot collide', () => {
    const a = signingBytes('fedagg/a', Uint8Array.of(0x31))
    const b = signingBytes('fedagg/a1', new Uint8Array(0))
    assert.notDeepEqual(a, b)
    assert.deepEqual(signingBytes('d', Uint8Array.of(9)), Uint8Array.of(...new TextEncoder().encode('fedagg:'), 0, 0, 0, 1, 0x64, 9))
  })

  it('signs and opens typed messages through their wire codec', async () => {
    const request = { roundId: 'r-1' }
    const signed = await signMessage(alice.privateKey, DOMAINS.result, WIRE.AggregateRequest, request)
    assert.deepEqual(await openSignedMessage(signed, DOMAINS.result, WIRE.AggregateRequest, alice.id), request)
    const garbage = await signPayload(alice.privateKey, DOMAINS.result, Uint8Array.of(0x0a, 0xff))
    await assert.rejects(openSignedMessage(garbage, DOMAINS.result, WIRE.AggregateRequest), { name: 'MalformedMessageError' })
  })
})
