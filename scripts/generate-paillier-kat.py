"""Recomputes test/fixtures/paillier-kat.json and the h_s of the committed test keys, independently of fedagg.

Usage: python3 scripts/generate-paillier-kat.py
Only Python's built-in pow() and hashlib: the point of these vectors is that fedagg's TypeScript did
not produce them. The keys' primes p, q are read from test/fixtures/paillier-<bits>.json and kept;
their "hs" field is rewritten with the h_s derived from n, and the known-answer file is rewritten
from those primes.
"""
import hashlib
import json
import math
import pathlib

FIXTURES = pathlib.Path(__file__).resolve().parent.parent / 'test' / 'fixtures'

DERIVATION = (
    "Computed by scripts/generate-paillier-kat.py with Python's built-in pow() and hashlib, independently of fedagg: "
    "n = p*q; x = derive_x(n); hs = pow(n - x*x % n, n, n*n); c = (1 + m*n) * pow(hs, r, n*n) % (n*n); "
    "fingerprint = sha256(n as minimal big-endian bytes). p and q are the test keys' primes. "
    "derive_x(n) = the first counter = 0, 1, ... for which x = int.from_bytes(shake_256(b'fedagg/hs/v1' + len(nb).to_bytes(4) + nb + counter.to_bytes(4)).digest(len(nb) + 16)) % n "
    "is nonzero and coprime to n, with nb = n as minimal big-endian bytes. "
    "expand(label, bits) = the top `bits` bits of sha256(label + '/0') || sha256(label + '/1') || ...; "
    "the cases pair m = 0, 1, n - 1, expand('fedagg-kat-<k>-m', k - 3) with r = 0, 1, 2^ceil(k/2) - 1, "
    "expand('fedagg-kat-<k>-r', ceil(k/2)) in that order."
)


def minimal_bytes(value):
    return value.to_bytes((value.bit_length() + 7) // 8, 'big')


def derive_x(n):
    nb = minimal_bytes(n)
    counter = 0
    while True:
        digest = hashlib.shake_256(b'fedagg/hs/v1' + len(nb).to_bytes(4, 'big') + nb + counter.to_bytes(4, 'big')).digest(len(nb) + 16)
        x = int.from_bytes(digest, 'big') % n
        if x != 0 and math.gcd(x, n) == 1:
            return x
        counter += 1


def expand(label, bits):
    out = b''
    block = 0
    while len(out) * 8 < bits:
        out += hashlib.sha256(f'{label}/{block}'.encode()).digest()
        block += 1
    return int.from_bytes(out, 'big') >> (len(out) * 8 - bits)


def hexa(value):
    return format(value, 'x')


def main():
    keys = []
    for bits in (2048, 3072):
        path = FIXTURES / f'paillier-{bits}.json'
        key = json.loads(path.read_text())
        p, q = int(key['p'], 16), int(key['q'], 16)
        n = p * q
        assert n == int(key['n'], 16) and n.bit_length() == bits
        nn = n * n
        x = derive_x(n)
        hs = pow(n - x * x % n, n, nn)
        key['hs'] = hexa(hs)
        path.write_text(json.dumps(key, indent=2) + '\n')
        half = (bits + 1) // 2
        ms = [0, 1, n - 1, expand(f'fedagg-kat-{bits}-m', bits - 3)]
        rs = [0, 1, (1 << half) - 1, expand(f'fedagg-kat-{bits}-r', half)]
        cases = [{'m': hexa(m), 'r': hexa(r), 'c': hexa((1 + m * n) * pow(hs, r, nn) % nn)} for m, r in zip(ms, rs)]
        keys.append({
            'bits': bits, 'p': hexa(p), 'q': hexa(q), 'n': hexa(n), 'x': hexa(x), 'hs': hexa(hs),
            'fingerprint': hashlib.sha256(minimal_bytes(n)).hexdigest(), 'cases': cases
        })
    (FIXTURES / 'paillier-kat.json').write_text(json.dumps({'derivation': DERIVATION, 'keys': keys}, indent=2) + '\n')


main()
