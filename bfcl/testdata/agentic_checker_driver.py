"""Runs upstream's agentic_checker on cases read from stdin.

Usage: python3 agentic_checker_driver.py <berkeley-function-call-leaderboard folder>

Each input line is {"response": <JSON value>, "answers": [str, ...]}; each
output line is json.dumps of agentic_checker(response, answers). The module
is loaded from its file, so the rest of bfcl_eval (and its dependencies) is
not imported.
"""
import importlib.util
import json
import os
import sys

path = os.path.join(sys.argv[1], "bfcl_eval", "eval_checker", "agentic_eval", "agentic_checker.py")
spec = importlib.util.spec_from_file_location("agentic_checker", path)
mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mod)
for line in sys.stdin:
    case = json.loads(line)
    print(json.dumps(mod.agentic_checker(case["response"], case["answers"])))
