// Signed document kinds: validation runs on both sides, and the author a document names must be its signer.
import assert from 'node:assert/strict'
import { WIRE } from '../../../protocol/messages/index.ts'
import { defineSignedDocument, signPayload } from '../../../protocol/signing/index.ts'
import { testIdentities } from './identities.ts'
import type { AggregateRequest } from '../../../protocol/messages/index.ts'
import type { TestIdentity } from './identities.ts'

describe('protocol/signing document', () => {
  let alice: TestIdentity
  let bob: TestIdentity

  before(async () => {
    [alice, bob] = await testIdentities(2) as [TestIdentity, TestIdentity]
  })

  // A toy document kind: the round id names its author, and must not be empty.
  const kind = defineSignedDocument<AggregateRequest>({
    domain: 'fedagg/test/1',
    codec: WIRE.AggregateRequest,
    validate: value => { if (value.roundId === '') throw new RangeError('empty round id') },
    signerOf: value => value.roundId
  })

  it('signs and verifies content whose named author holds the key', async () => {
    const signed = await kind.sign(alice.privateKey, { roundId: alice.id })
    assert.deepEqual(await kind.verify(signed), { roundId: alice.id })
    assert.deepEqual(await kind.verify(signed, alice.peerId), { roundId: alice.id })
    assert.equal(kind.domain, 'fedagg/test/1')
  })

  it('refuses to sign, or to accept, a document naming someone else as author', async () => {
    await assert.rejects(kind.sign(bob.privateKey, { roundId: alice.id }), { name: 'UnexpectedSignerError' })
    const forged = await signPayload(bob.privateKey, kind.domain, WIRE.AggregateRequest.encode({ roundId: alice.id }))
    await assert.rejects(kind.verify(forged), { name: 'UnexpectedSignerError' })
  })

  it('runs the validator before signing and after verifying', async () => {
    await assert.rejects(kind.sign(alice.privateKey, { roundId: '' }), RangeError)
    const invalid = await signPayload(alice.privateKey, kind.domain, WIRE.AggregateRequest.encode({ roundId: '' }))
    await assert.rejects(kind.verify(invalid), RangeError)
  })
})
