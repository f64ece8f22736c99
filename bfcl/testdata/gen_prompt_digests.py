"""Write prompt_digests.json: the sha256 and length of the official system
prompt and of the miss_func hand-out message, as upstream's own functions
render them, for the expectations of TestOfficialPromptMatchesUpstream.

Usage: python3 gen_prompt_digests.py GORILLA_CHECKOUT BFCL_V4_DATA_DIR > prompt_digests.json

GORILLA_CHECKOUT is a checkout of ShishirPatil/gorilla at the pinned commit;
its bfcl_eval package is imported and its functions make the strings: the
entry's function docs (populate_test_cases_with_predefined_functions, reading
the docs from the data directory), the system prompt (formulate_system_prompt
in the default format) and the hand-out message (the prompting template with
the held-out docs). Third-party modules bfcl_eval imports but these functions
never call (tree_sitter, tenacity, ...) are replaced by empty stand-ins, so
only the standard library is needed. `go test ./bfcl -update-prompts` runs
it with SEEUPO_BFCL_UPSTREAM as the checkout.
"""
import hashlib
import importlib.abc
import importlib.machinery
import json
import os
import pathlib
import sys
import types

ENTRY = "multi_turn_miss_func_0"
# Imported by bfcl_eval at load time, never called by the functions used here.
STAND_INS = {"filelock", "tenacity", "tree_sitter", "tree_sitter_java", "tree_sitter_javascript"}
HANDOUT_TURN = "3"


class _Anything:
    """Callable, subclassable, and every attribute is another _Anything."""

    def __init__(self, *args, **kwargs):
        pass

    def __call__(self, *args, **kwargs):
        return _Anything()

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return _Anything()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


class _StandIn(types.ModuleType):
    """A module whose every attribute is _Anything (a class)."""

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return _Anything


class _StandInFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serves a stand-in for the modules of STAND_INS that are not installed."""

    def find_spec(self, name, path, target=None):
        if name.split(".")[0] not in STAND_INS:
            return None
        return importlib.machinery.ModuleSpec(name, self, is_package=True)

    def create_module(self, spec):
        m = _StandIn(spec.name)
        m.__path__ = []
        return m

    def exec_module(self, module):
        pass


def digest(s):
    return {"sha256": hashlib.sha256(s.encode("utf-8")).hexdigest(), "bytes": len(s.encode("utf-8"))}


def load_entry(data_dir):
    with open(os.path.join(data_dir, "BFCL_v4_multi_turn_miss_func.json"), encoding="utf-8") as f:
        for line in f:
            if line.strip():
                e = json.loads(line)
                if e["id"] == ENTRY:
                    return e
    raise SystemExit(ENTRY + " not found in " + data_dir)


def main():
    checkout, data_dir = sys.argv[1], sys.argv[2]
    root = os.path.join(checkout, "berkeley-function-call-leaderboard")
    sys.path.insert(0, root)
    sys.meta_path.append(_StandInFinder())
    import bfcl_eval.utils as bu
    from bfcl_eval.constants import default_prompts as dp
    from bfcl_eval.model_handler import utils as mu

    bu.MULTI_TURN_FUNC_DOC_PATH = pathlib.Path(data_dir) / "multi_turn_func_doc"
    entry = bu.populate_test_cases_with_predefined_functions([load_entry(data_dir)])[0]
    system = mu.formulate_system_prompt(dp.DEFAULT_SYSTEM_PROMPT_FORMAT, entry["function"])
    handout = dp.DEFAULT_USER_PROMPT_FOR_ADDITIONAL_FUNCTION_PROMPTING.format(
        functions=entry["missed_function"][HANDOUT_TURN])
    out = {"entry": ENTRY, "handout_turn": int(HANDOUT_TURN),
           "system_prompt": digest(system), "handout_message": digest(handout)}
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
