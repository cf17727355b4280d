"""Example trainer: the fedagg spam filter (logistic regression on 2^16 hashed features) in numpy, trained through a fedagg node.

The same model, features and seeded shuffles as the TypeScript SpamTrainer (see spam_model.py),
so Python and TypeScript organizations train one model. Each round: E epochs of SGD over the
local shard from the global model, then submit (local - global) weighted by the shard size.

    python3 examples/spam_trainer.py --data-dir DIR --shard shard.json --organization J [--seed 1] [--lr 1]

shard.json is a JSON list of {"text": <raw email>, "label": 0 (ham) or 1 (spam)}. Prints one JSON
line per round it trained, and {"final": ...} with the shard accuracy when the session ends.
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from fedagg_client import ControlClient, ModelPendingError  # noqa: E402
from spam_model import evaluate, to_examples, train_update  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--shard", required=True)
    parser.add_argument("--organization", type=int, required=True, help="index j, part of the shuffle seeds")
    parser.add_argument("--session")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--lr", type=float, default=1.0)
    parser.add_argument("--timeout", type=float, default=600.0)
    args = parser.parse_args()

    with open(args.shard, encoding="utf-8") as file:
        examples = to_examples(json.load(file))
    client = ControlClient(data_dir=args.data_dir, timeout_s=args.timeout)
    session_id, round_index, model, info = client.wait_for_model(args.session, -1, args.timeout)
    while not info["final"]:
        update, weight = train_update(model, examples, info["epochs"], args.lr, args.seed, args.organization, round_index)
        client.submit_update(session_id, round_index, update, weight)
        print(json.dumps({"round": round_index, "submitted": True, "weight": weight}), flush=True)
        try:
            session_id, round_index, model, info = client.wait_for_model(session_id, round_index, args.timeout)
        except ModelPendingError as err:
            print(json.dumps({"round": round_index, "error": err.name}), flush=True)
            return 2
    accuracy, f1 = evaluate(model, examples)
    print(json.dumps({"final": True, "round": round_index, "shardAccuracy": accuracy, "shardF1": f1}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
