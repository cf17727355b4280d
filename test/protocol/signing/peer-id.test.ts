// Peer ID strings: only canonical Ed25519 base58btc forms are accepted.
import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { base32 } from 'multiformats/bases/base32'
import { parsePeerId, peerIdString } from '../../../protocol/signing/index.ts'
import { testIdentity } from './identities.ts'

describe('protocol/signing peer-id', () => {
  it('parses a canonical Ed25519 peer ID and keeps its public key', async () => {
    const alice = await testIdentity(1)
    const parsed = parsePeerId(alice.id)
    assert.ok(parsed.equals(alice.peerId))
    assert.ok(parsed.publicKey.equals(alice.privateKey.publicKey))
    assert.equal(peerIdString(alice.peerId), alice.id)
    assert.equal(peerIdString(alice.id), alice.id)
  })

  it('refuses the CID spelling of the same peer, so one peer has one name', async () => {
    const alice = await testIdentity(1)
    const cidForm = alice.peerId.toCID().toString(base32)
    assert.throws(() => parsePeerId(cidForm), { name: 'InvalidPeerIdError', message: /canonical/ })
  })

  it('refuses secp256k1 peer IDs, junk and oversized strings, naming the field', async () => {
    const secp = peerIdFromPrivateKey(await generateKeyPair('secp256k1')).toString()
    assert.throws(() => parsePeerId(secp, 'members[3].peerId'), { name: 'InvalidPeerIdError', message: /^members\[3\]\.peerId: expected an Ed25519/ })
    for (const bad of ['', ' ', '12D3KooW', 'x'.repeat(129), '12D3KooW!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!']) {
      assert.throws(() => parsePeerId(bad), { name: 'InvalidPeerIdError' }, bad)
    }
  })
})
