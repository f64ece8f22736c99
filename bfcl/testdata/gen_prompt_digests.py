"""Write prompt_digests.json: digests of the prompting-mode messages that
upstream's own code sends at the opening of every turn of every entry, one
digest per test category, for TestPromptingMessagesMatchUpstream.

Usage: python3 gen_prompt_digests.py GORILLA_CHECKOUT BFCL_V4_DATA_DIR > prompt_digests.json
       python3 gen_prompt_digests.py GORILLA_CHECKOUT BFCL_V4_DATA_DIR --dump ENTRY_ID
       (prints the stream of one entry, to find where a digest differs)

GORILLA_CHECKOUT is a checkout of ShishirPatil/gorilla at the pinned commit
(6ea5797); its bfcl_eval package is imported unchanged and its functions
make every string:

- the entries: load_dataset_entry(category), which reads the data folder,
  fills in the multi-turn function docs, removes the held-out functions and
  adds the language hint to the docs that remain;
- the opening of turn 0: system_prompt_pre_processing_chat_model(question[0],
  function, id), as every prompting handler calls it (the system prompt is
  formulate_system_prompt with the format the id names, the default one
  outside format sensitivity);
- the opening of a miss_func hand-out turn: the prompting template
  DEFAULT_USER_PROMPT_FOR_ADDITIONAL_FUNCTION_PROMPTING formatted with the
  held-out docs, as inference_multi_turn_prompting does;
- every other turn opens with question[t] unchanged;
- memory entries (prerequisite conversations included) first get
  add_memory_instruction_system_prompt with a fresh instance of the
  category's memory class, as inference_multi_turn_prompting does (the
  recording policy never writes to the memory, so it is empty throughout).

The stream of a category: its entries sorted by id; for each, the id and
"\\0", then for each turn t the line "turn t\\0" followed by role "\\0"
content "\\0" for each opening message, then "\\1". Its sha256 and byte
count (UTF-8) are written per category (format_sensitivity: per
configuration, as "format_sensitivity:" + configuration).

Third-party modules bfcl_eval imports but these functions never call
(filelock, tenacity, tree_sitter, the memory and web-search backends
model, index and HTTP packages, ...) are replaced by empty stand-ins, so
only the standard library is needed. `go test ./bfcl -run Prompt
-update-prompts` runs it with SEEUPO_BFCL_UPSTREAM as the checkout.
"""
import hashlib
import importlib.abc
import importlib.machinery
import json
import os
import pathlib
import sys
import tempfile
import types

COMMIT = "6ea57973c7a6097fd7c5915698c54c17c5b1b6c8"
# Imported by bfcl_eval at load time, never called by the functions used here.
STAND_INS = {"filelock", "tenacity", "tree_sitter", "tree_sitter_java", "tree_sitter_javascript",
             "overrides", "rank_bm25", "sentence_transformers", "faiss", "html2text", "bs4", "serpapi", "numpy"}
CATEGORIES = [
    "simple_python", "simple_java", "simple_javascript", "multiple", "parallel",
    "parallel_multiple", "irrelevance", "live_simple", "live_multiple", "live_parallel",
    "live_parallel_multiple", "live_irrelevance", "live_relevance",
    "multi_turn_base", "multi_turn_miss_func", "multi_turn_miss_param", "multi_turn_long_context",
    "memory_kv", "memory_vector", "memory_rec_sum", "web_search_base", "web_search_no_snippet",
]
MEMORY_CLASSES = {
    "kv": ("memory_kv", "MemoryAPI_kv"),
    "vector": ("memory_vector", "MemoryAPI_vector"),
    "rec_sum": ("memory_rec_sum", "MemoryAPI_rec_sum"),
}


def empty_memory(category):
    """A fresh instance of the category's memory class (the recorder never
    writes to the memory, so every entry sees it empty)."""
    import importlib

    for backend, (module, cls) in MEMORY_CLASSES.items():
        if category.startswith("memory_" + backend):
            m = importlib.import_module("bfcl_eval.eval_checker.multi_turn_eval.func_source_code." + module)
            return getattr(m, cls)()
    raise ValueError(category)


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


def load_upstream(checkout, data_dir):
    os.environ.setdefault("BFCL_PROJECT_ROOT", tempfile.mkdtemp(prefix="bfcl-project-"))
    sys.path.insert(0, os.path.join(checkout, "berkeley-function-call-leaderboard"))
    sys.meta_path.append(_StandInFinder())
    import bfcl_eval.utils as bu
    from bfcl_eval.constants import default_prompts as dp
    from bfcl_eval.model_handler import utils as mu

    data = pathlib.Path(data_dir)
    bu.PROMPT_PATH = data
    bu.MULTI_TURN_FUNC_DOC_PATH = data / "multi_turn_func_doc"
    bu.POSSIBLE_ANSWER_PATH = data / "possible_answer"
    bu.MEMORY_PREREQ_CONVERSATION_PATH = data / "memory_prereq_conversation"
    bu.FORMAT_SENSITIVITY_IDS_PATH = data / "BFCL_v4_format_sensitivity.json"
    return bu, dp, mu


def entry_stream(entry, dp, mu):
    """The opening messages of every turn of one entry, as bytes."""
    out = [entry["id"], "\0"]
    holdout = entry.get("missed_function", {})
    category = entry["id"].rsplit("_", 1)[0]
    if "memory" in category:
        entry["question"] = mu.add_memory_instruction_system_prompt(
            entry["question"], category, entry["scenario"], empty_memory(category))
    for t, turn in enumerate(entry["question"]):
        if t == 0:
            msgs = mu.system_prompt_pre_processing_chat_model(turn, entry["function"], entry["id"])
        elif str(t) in holdout:
            content = dp.DEFAULT_USER_PROMPT_FOR_ADDITIONAL_FUNCTION_PROMPTING.format(functions=holdout[str(t)])
            msgs = [{"role": "user", "content": content}]
        else:
            msgs = turn
        out.append(f"turn {t}\0")
        for m in msgs:
            out += [m["role"], "\0", m["content"], "\0"]
    out.append("\1")
    return "".join(out).encode("utf-8")


def groups(bu):
    """(name, entries) for every category, format sensitivity per configuration."""
    for cat in CATEGORIES:
        yield cat, bu.load_dataset_entry(cat)
    fs = bu.load_dataset_entry("format_sensitivity")
    for config in bu.get_all_format_sensitivity_configs():
        yield "format_sensitivity:" + config, [e for e in fs if e["id"].split(":")[1] == config]


def main():
    checkout, data_dir = sys.argv[1], sys.argv[2]
    bu, dp, mu = load_upstream(checkout, data_dir)
    if len(sys.argv) == 5 and sys.argv[3] == "--dump":
        for _, entries in groups(bu):
            for e in entries:
                if e["id"] == sys.argv[4]:
                    sys.stdout.buffer.write(entry_stream(e, dp, mu))
                    return
        raise SystemExit(sys.argv[4] + ": no such entry")
    out = {"upstream_commit": COMMIT, "groups": {}}
    for name, entries in groups(bu):
        h, n = hashlib.sha256(), 0
        for e in sorted(entries, key=lambda e: e["id"]):
            b = entry_stream(e, dp, mu)
            h.update(b)
            n += len(b)
        out["groups"][name] = {"entries": len(entries), "sha256": h.hexdigest(), "bytes": n}
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
