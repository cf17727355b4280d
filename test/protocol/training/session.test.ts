// The session state machine: FedAvg steps, R rounds, early stop by tolerance, failed rounds, and refused transitions.
import assert from 'node:assert/strict'
import { applyRoundOutcome, modelHash, resolveSessionSettings, startSession } from '../../../protocol/training/index.ts'

const decrypted = (mean: number[], weightSum = 10) => ({ status: 'decrypted' as const, contributors: ['a', 'b', 'c'], weightedMean: mean, weightSum })

describe('protocol/training session', () => {
  it('adds the weighted mean to the global model and names the new model by its hash', () => {
    const initial = Float64Array.of(1, 2)
    const state = startSession('s-1', resolveSessionSettings({ rounds: 3 }), initial)
    const step = applyRoundOutcome(state, initial, 0, decrypted([0.5, -1]))
    assert.deepEqual([...step.model], [1.5, 1])
    assert.equal(step.state.round, 1)
    assert.equal(step.state.status, 'running')
    assert.equal(step.state.modelHash, modelHash(step.model))
    assert.equal(step.record.modelBefore, modelHash(initial))
    assert.equal(step.record.updateNorm, Math.hypot(0.5, -1))
    assert.deepEqual(step.record.contributors, ['a', 'b', 'c'])
  })

  it('completes after R rounds and refuses any outcome after that', () => {
    let state = startSession('s-2', resolveSessionSettings({ rounds: 2 }), Float64Array.of(0))
    let model: Float64Array = Float64Array.of(0)
    for (const round of [0, 1]) ({ state, model } = applyRoundOutcome(state, model, round, decrypted([1])))
    assert.equal(state.status, 'completed')
    assert.deepEqual([...model], [2])
    assert.throws(() => applyRoundOutcome(state, model, 2, decrypted([1])), { name: 'IllegalSessionTransitionError' })
  })

  it('stops early once the step is below a positive tolerance, and never with tolerance 0', () => {
    const settings = resolveSessionSettings({ rounds: 10, tolerance: 0.1 })
    const state = startSession('s-3', settings, Float64Array.of(0, 0))
    assert.equal(applyRoundOutcome(state, Float64Array.of(0, 0), 0, decrypted([0.05, 0.05])).state.status, 'converged')
    assert.equal(applyRoundOutcome(state, Float64Array.of(0, 0), 0, decrypted([0.1, 0])).state.status, 'running')
    const never = startSession('s-4', resolveSessionSettings({ rounds: 10 }), Float64Array.of(0))
    assert.equal(applyRoundOutcome(never, Float64Array.of(0), 0, decrypted([0])).state.status, 'running')
  })

  it('keeps the model through a failed round but uses the round up', () => {
    const initial = Float64Array.of(3)
    const state = startSession('s-5', resolveSessionSettings({ rounds: 2 }), initial)
    const step = applyRoundOutcome(state, initial, 0, { status: 'failed', contributors: ['a'], reason: 'quorum not met' })
    assert.equal(step.model, initial)
    assert.equal(step.state.round, 1)
    assert.equal(step.state.modelHash, state.modelHash)
    assert.equal(step.record.reason, 'quorum not met')
  })

  it('refuses an outcome for another round, a mean of the wrong length, and a non-finite model', () => {
    const initial = Float64Array.of(0, 0)
    const state = startSession('s-6', resolveSessionSettings(), initial)
    assert.throws(() => applyRoundOutcome(state, initial, 1, decrypted([0, 0])), { name: 'IllegalSessionTransitionError' })
    assert.throws(() => applyRoundOutcome(state, initial, 0, decrypted([0])), { name: 'InvalidModelError' })
    assert.throws(() => applyRoundOutcome(state, initial, 0, decrypted([Infinity, 0])), { name: 'InvalidModelError' })
    assert.throws(() => startSession('s-7', resolveSessionSettings(), Float64Array.of(NaN)), { name: 'InvalidModelError' })
  })

  it('names the field of a bad setting', () => {
    assert.throws(() => resolveSessionSettings({ rounds: 0 }), /^InvalidSessionSettingsError: rounds: expected an integer in \[1, 100000\], got 0$/)
    assert.throws(() => resolveSessionSettings({ clip: -1 }), /clip: expected a finite number > 0, got -1/)
    assert.throws(() => resolveSessionSettings({ clip: 2 ** 40, fractionBits: 20 }), /clip: expected clip·2\^fractionBits <= 2\^53 − 1/)
  })
})
