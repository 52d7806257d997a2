"""Score a finished run's checkpoint on a test-set variant added after it, adding `<variant>_*` (and who scored
them, `later_scores`) to its record; nothing recorded before changes."""

import argparse
import json
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from lib.infra import atomic, provenance, store
from lib.infra.paths import RECORD_DIR
from lib.reading import predict
from lib.study import experiment
from lib.study.evaluate import evaluate
from lib.study.run_key import RunKey


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("checkpoint", type=Path, help="a checkpoint written by a run (model.pt) or exported weights")
    ap.add_argument("--variant", required=True, choices=experiment.VARIANTS)
    ap.add_argument("--record-dir", type=Path, default=RECORD_DIR, help="where the records are (default: res/runs)")
    args = ap.parse_args(argv)

    clf = predict.load(args.checkpoint)
    meta, config = clf.meta, clf.meta.get("config") or {}  # a run's model.pt holds its config; exported weights part
    seed, profile = meta.get("seed", config.get("seed")), meta.get("profile", config.get("profile"))
    key = RunKey(meta["version"], meta["dataset"], seed)
    path = experiment.record_files(profile, key.name, args.record_dir)["metrics"]
    if not path.is_file():
        raise SystemExit(f"{args.checkpoint}: its run {key.name} at profile {profile} has no record at {path}")
    record = json.loads(path.read_text())
    if not store.same_config(record, config) or record["test_acc"] != meta.get("test_acc", record["test_acc"]):
        raise SystemExit(f"{args.checkpoint} is not the run recorded at {path}: retrain it or pick its own checkpoint")
    if f"{args.variant}_test_acc" in record:
        print(f"{key.name} ({profile}) already holds {args.variant}: left as it is")
        return 0
    test_set = experiment.load_test_set(key.dataset, profile, args.variant)
    scores, _ = evaluate(clf.model, test_set, meta["preprocessing"], torch.device("cpu"), head=clf.head)
    record.update({f"{args.variant}_{k}": scores[k] for k in experiment.SCORE_KEYS})
    info = provenance.describe(torch.device("cpu"))
    record.setdefault("later_scores", {})[args.variant] = {k: info[k] for k in ("commit", "hardware", "torch")}
    atomic.write_json(path, record)
    print(f"{key.name} ({profile}): {args.variant} {scores['test_acc']:.2%} -> {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
