// Logistic regression over hashed features: scoring, one epoch of sparse SGD, and accuracy/F1 on a test set.
//
// Parameters are one Float64Array of FEATURE_DIMENSIONS weights followed by the
// bias (65,537 values), the vector a round aggregates. For an example (x, y):
//   z = b + v·Σ_{i ∈ idx} w_i      (x is v at each index, ascending order)
//   p = σ(z) = 1 / (1 + e^−z),  g = p − y   (the log-loss gradient in z)
//   w_i −= η·g·v for i ∈ idx,   b −= η·g
// Only the example's k non-zero weights change, so an epoch costs O(Σ k), not
// O(examples × 2^16). No regularization: it would touch every weight per step.
import { FEATURE_DIMENSIONS } from './features.ts'
import type { SparseFeatures } from './features.ts'

/** 2^16 weights + 1 bias. */
export const PARAMETER_COUNT = FEATURE_DIMENSIONS + 1
export const BIAS_INDEX = FEATURE_DIMENSIONS

export interface Example {
  features: SparseFeatures
  /** 1 spam, 0 ham. */
  label: 0 | 1
}

export interface Evaluation {
  accuracy: number
  /** F1 of the spam class: 2·TP / (2·TP + FP + FN); 0 when there is no true or predicted spam. */
  f1: number
}

/** All zeros: the model every run starts from (σ(0) = ½, so nothing is favoured). */
export function initialParameters (): Float64Array {
  return new Float64Array(PARAMETER_COUNT)
}

/** z = b + v·Σ w_i, summed in ascending index order (the Python trainer sums in the same order). */
export function score (parameters: Float64Array, features: SparseFeatures): number {
  let sum = 0
  for (const i of features.indices) sum += parameters[i] as number
  return (parameters[BIAS_INDEX] as number) + features.value * sum
}

export function sigmoid (z: number): number {
  return 1 / (1 + Math.exp(-z))
}

/** One pass of SGD over `examples` in the order `order` (indices into examples), updating `parameters` in place. */
export function sgdEpoch (parameters: Float64Array, examples: readonly Example[], order: readonly number[], learningRate: number): void {
  for (const e of order) {
    const { features, label } = examples[e] as Example
    const g = sigmoid(score(parameters, features)) - label
    const step = learningRate * g * features.value
    for (const i of features.indices) parameters[i] = (parameters[i] as number) - step
    parameters[BIAS_INDEX] = (parameters[BIAS_INDEX] as number) - learningRate * g
  }
}

/** Predicts spam when z >= 0 (p >= ½). */
export function evaluate (parameters: Float64Array, examples: readonly Example[]): Evaluation {
  let tp = 0
  let fp = 0
  let fn = 0
  let correct = 0
  for (const { features, label } of examples) {
    const predicted = score(parameters, features) >= 0 ? 1 : 0
    if (predicted === label) correct++
    if (predicted === 1 && label === 1) tp++
    else if (predicted === 1) fp++
    else if (label === 1) fn++
  }
  return {
    accuracy: examples.length === 0 ? 0 : correct / examples.length,
    f1: tp === 0 ? 0 : 2 * tp / (2 * tp + fp + fn)
  }
}
