"""Runs the ground truth of the BFCL v4 multi-turn entries through
upstream's execute_multi_turn_func_call, for BenchmarkUpstreamGroundTruth.

Usage: python3 upstream_gt_driver.py <berkeley-function-call-leaderboard dir> <bfcl_v4 data dir>

It loads the data once, prints "ready <calls>" and then answers one
command per line on stdin:

  digest  runs every entry once and prints "digest <sha256> <calls>", the
          hash of every output (each framed by its byte length)
  run     runs every entry once and prints "ns <cpu> <wall> <calls>": the
          process CPU time and the wall time, in nanoseconds, spent
          executing (building instances and running the calls, turn by
          turn), summed over the entries
  quit    exits

With SEEUPO_UPSTREAM_GC=off in the environment, Python's cyclic garbage
collector is frozen and disabled after loading (reference counting still
frees memory), to measure what the collector costs upstream.

Each entry gets fresh instances: upstream keeps them in the executor
module's globals under "<model>_<id>_<Class>_instance", so they are
removed after the entry (outside the timed part).
"""

import gc
import hashlib
import json
import os
import sys
import time

CATEGORIES = ["base", "miss_func", "miss_param", "long_context"]
MODEL_NAME = "seeupo"


def load_entries(data_dir):
    entries = []
    for cat in CATEGORIES:
        name = "BFCL_v4_multi_turn_" + cat + ".json"
        answers = {}
        with open(os.path.join(data_dir, "possible_answer", name), encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    a = json.loads(line)
                    answers[a["id"]] = a["ground_truth"]
        with open(os.path.join(data_dir, name), encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                e = json.loads(line)
                test_category = e["id"].rsplit("_", 1)[0]
                long_context = "long_context" in test_category or "composite" in test_category
                entries.append((e["id"], e.get("initial_config", {}), e["involved_classes"],
                                long_context, answers[e["id"]]))
    return entries


def run_all(utils, entries, outputs):
    execute = utils.execute_multi_turn_func_call
    module_globals = vars(utils)
    cpu = wall = 0
    for entry_id, config, classes, long_context, turns in entries:
        c0, t0 = time.process_time_ns(), time.perf_counter_ns()
        for turn in turns:
            if not turn:
                continue
            results, _ = execute(turn, config, classes, MODEL_NAME, entry_id, long_context)
            if outputs is not None:
                outputs.extend(results)
        wall += time.perf_counter_ns() - t0
        cpu += time.process_time_ns() - c0
        for key in [k for k in module_globals if k.endswith("_instance")]:
            del module_globals[key]
    return cpu, wall


def main():
    upstream, data_dir = sys.argv[1], sys.argv[2]
    sys.path.insert(0, upstream)
    from bfcl_eval.eval_checker.multi_turn_eval import multi_turn_utils as utils

    entries = load_entries(data_dir)
    calls = sum(len(turn) for e in entries for turn in e[4])
    if os.environ.get("SEEUPO_UPSTREAM_GC") == "off":
        gc.freeze()
        gc.disable()
    print("ready", calls, flush=True)
    for line in sys.stdin:
        cmd = line.strip()
        if cmd == "digest":
            outputs = []
            run_all(utils, entries, outputs)
            h = hashlib.sha256()
            for out in outputs:
                b = out.encode("utf-8", "surrogatepass")
                h.update(str(len(b)).encode() + b":" + b)
            print("digest", h.hexdigest(), len(outputs), flush=True)
        elif cmd == "run":
            cpu, wall = run_all(utils, entries, None)
            print("ns", cpu, wall, calls, flush=True)
        elif cmd == "quit":
            return
        else:
            print("error unknown command", cmd, flush=True)


if __name__ == "__main__":
    main()
