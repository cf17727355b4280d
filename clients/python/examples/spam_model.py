"""The fedagg spam model in numpy: hashed token features, logistic regression, seeded local SGD.

It mirrors node/training/spam/ in the TypeScript tree exactly:
  - features: ASCII-only lowercasing, tokens are maximal runs of [a-z0-9] of
    2 to 40 characters, FNV-1a 32-bit over their bytes mod 2^16, binary
    presence, L2-normalized (every non-zero is 1/sqrt(k)); bit-identical to
    the TypeScript vectors, which a test checks;
  - shuffles: mulberry32 seeded by FNV-1a of "seed <s>/org <j>/round <r>/epoch <e>",
    Fisher-Yates with index floor(x * n / 2^32); identical permutations;
  - SGD: z = b + v * (sequential sum of w[idx]), g = sigmoid(z) - y,
    w[idx] -= lr * g * v, b -= lr * g. The sums run in the same order; exp()
    may differ from V8's in the last bit, so updates agree to about 1e-12,
    not bit for bit.

Standard library and numpy only. Run as a script it answers the tests:
  python3 spam_model.py features   < [{"text": ...}, ...]            -> [{"indices": [...], "value": v}, ...]
  python3 spam_model.py train      < {"global": [...], "examples": [{"text", "label"}], "epochs", "learning_rate",
                                      "seed", "organization", "round"}  -> {"update": [...], "weight": n}
"""
import json
import math
import re
import sys

import numpy as np

FEATURE_BITS = 16
FEATURE_DIMENSIONS = 1 << FEATURE_BITS
PARAMETER_COUNT = FEATURE_DIMENSIONS + 1
BIAS_INDEX = FEATURE_DIMENSIONS
MIN_TOKEN_LENGTH = 2
MAX_TOKEN_LENGTH = 40

FNV_OFFSET_BASIS = 2166136261
FNV_PRIME = 16777619
MASK32 = 0xFFFFFFFF

_ASCII_LOWER = str.maketrans('ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')
# Only ASCII letters and digits: every other character, non-ASCII included, separates tokens.
_TOKEN = re.compile('[a-z0-9]+')


def fnv1a32(data: bytes) -> int:
    h = FNV_OFFSET_BASIS
    for byte in data:
        h = ((h ^ byte) * FNV_PRIME) & MASK32
    return h


def featurize(text: str):
    """(indices ascending as uint32, value 1/sqrt(k)); value 0.0 when no token is kept."""
    bins = set()
    for token in _TOKEN.findall(text.translate(_ASCII_LOWER)):
        if MIN_TOKEN_LENGTH <= len(token) <= MAX_TOKEN_LENGTH:
            bins.add(fnv1a32(token.encode('ascii')) % FEATURE_DIMENSIONS)
    indices = np.array(sorted(bins), dtype=np.uint32)
    return indices, (1 / math.sqrt(len(indices)) if len(indices) > 0 else 0.0)


class Mulberry32:
    """Tommy Ettinger's mulberry32 with 32-bit masking, the same stream as the TypeScript mulberry32."""

    def __init__(self, seed: int):
        self.state = seed & MASK32

    def next(self) -> int:
        self.state = (self.state + 0x6D2B79F5) & MASK32
        t = self.state
        t = ((t ^ (t >> 15)) * (t | 1)) & MASK32
        t = (t ^ ((t + (((t ^ (t >> 7)) * (t | 61)) & MASK32)) & MASK32)) & MASK32
        return (t ^ (t >> 14)) & MASK32


def stream_seed(*parts) -> int:
    return fnv1a32('/'.join(str(part) for part in parts).encode('utf-8'))


def permutation(n: int, seed: int) -> list:
    items = list(range(n))
    rng = Mulberry32(seed)
    for i in range(n - 1, 0, -1):
        j = (rng.next() * (i + 1)) >> 32
        items[i], items[j] = items[j], items[i]
    return items


def sgd_epoch(parameters: np.ndarray, examples: list, order: list, learning_rate: float) -> None:
    """One pass over examples [(indices, value, label)] in `order`, updating parameters in place."""
    for e in order:
        indices, value, label = examples[e]
        # cumsum adds left to right, as the TypeScript loop does (np.sum would pair terms up).
        total = float(np.cumsum(parameters[indices])[-1]) if len(indices) > 0 else 0.0
        z = parameters[BIAS_INDEX] + value * total
        g = 1 / (1 + math.exp(-z)) - label
        parameters[indices] -= learning_rate * g * value
        parameters[BIAS_INDEX] -= learning_rate * g


def train_update(global_model: np.ndarray, examples: list, epochs: int, learning_rate: float,
                 seed: int, organization: int, round_number: int):
    """(update = local - global, weight = number of examples), as SpamTrainer.train. The node clips
    each value to the session's bound when it encodes the update."""
    local = global_model.astype(np.float64).copy()
    for epoch in range(epochs):
        order = permutation(len(examples), stream_seed(f'seed {seed}', f'org {organization}', f'round {round_number}', f'epoch {epoch}'))
        sgd_epoch(local, examples, order, learning_rate)
    return local - global_model, len(examples)


def evaluate(parameters: np.ndarray, examples: list):
    """(accuracy, F1 of spam); spam is predicted when z >= 0."""
    tp = fp = fn = correct = 0
    for indices, value, label in examples:
        total = float(np.cumsum(parameters[indices])[-1]) if len(indices) > 0 else 0.0
        predicted = 1 if parameters[BIAS_INDEX] + value * total >= 0 else 0
        correct += predicted == label
        tp += predicted == 1 and label == 1
        fp += predicted == 1 and label == 0
        fn += predicted == 0 and label == 1
    accuracy = correct / len(examples) if examples else 0.0
    return accuracy, (2 * tp / (2 * tp + fp + fn) if tp > 0 else 0.0)


def to_examples(emails: list) -> list:
    """[{"text", "label"}] -> [(indices, value, label)]."""
    return [(*featurize(email['text']), int(email['label'])) for email in emails]


def _main(command: str) -> None:
    request = json.load(sys.stdin)
    if command == 'features':
        out = [{'indices': indices.tolist(), 'value': value} for indices, value in (featurize(e['text']) for e in request)]
    elif command == 'train':
        update, weight = train_update(np.array(request['global'], dtype=np.float64), to_examples(request['examples']),
                                      request['epochs'], request['learning_rate'], request['seed'],
                                      request['organization'], request['round'])
        out = {'update': update.tolist(), 'weight': weight}
    else:
        raise SystemExit(f'spam_model.py: expected "features" or "train", got {command!r}')
    json.dump(out, sys.stdout)


if __name__ == '__main__':
    _main(sys.argv[1] if len(sys.argv) > 1 else '')
