"""Example trainer: least-squares linear regression on synthetic local data, trained through a fedagg node.

The true weights are w*_j = sin(j + 1), the same formula the TypeScript test trainer uses, so
TypeScript and Python clients train one model. Each round: E epochs of full-batch gradient
descent from the global model, then submit (local - global) weighted by the local sample count.

    python3 examples/linear_trainer.py --data-dir DIR [--seed 7] [--samples 200] [--lr 0.1]

Prints one JSON line per round it trained, and {"final": ...} when the session ends.
"""
import argparse
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from fedagg_client import ControlClient, ModelPendingError  # noqa: E402


def synthetic_shard(parameter_count, samples, seed):
    rng = np.random.default_rng(seed)
    truth = np.sin(np.arange(1, parameter_count + 1, dtype=np.float64))
    features = rng.standard_normal((samples, parameter_count))
    targets = features @ truth + 0.01 * rng.standard_normal(samples)
    return features, targets


def train(model, features, targets, epochs, learning_rate):
    weights = model.copy()
    for _ in range(epochs):
        # Gradient of the mean squared error (1/n)·||Xw − y||²: (2/n)·Xᵀ(Xw − y).
        gradient = (2.0 / len(targets)) * (features.T @ (features @ weights - targets))
        weights -= learning_rate * gradient
    return weights


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--session")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--timeout", type=float, default=300.0)
    args = parser.parse_args()

    client = ControlClient(data_dir=args.data_dir)
    session_id, round_index, model, info = client.current_model(args.session)
    features, targets = synthetic_shard(len(model), args.samples, args.seed)
    while not info["final"]:
        local = train(model, features, targets, info["epochs"], args.lr)
        client.submit_update(session_id, round_index, local - model, weight=args.samples)
        print(json.dumps({"round": round_index, "submitted": True}), flush=True)
        try:
            session_id, round_index, model, info = client.wait_for_model(session_id, round_index, args.timeout)
        except ModelPendingError as err:
            print(json.dumps({"round": round_index, "error": err.name}), flush=True)
            return 2
    loss = float(np.mean((features @ model - targets) ** 2))
    print(json.dumps({"final": True, "round": round_index, "loss": loss}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
