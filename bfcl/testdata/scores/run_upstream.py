"""Run upstream BFCL's evaluation runner (bfcl_eval.eval_checker.eval_runner)
on a result folder, with stand-ins for the Python packages it imports but
does not use for scoring (model SDKs, tqdm, filelock, pandas, ...).

    python3 run_upstream.py UPSTREAM_ROOT RESULT_DIR SCORE_DIR

UPSTREAM_ROOT is upstream's berkeley-function-call-leaderboard folder (the
one holding bfcl_eval/). The upstream code is imported unchanged; only
modules that cannot be imported get a stand-in:

- overrides: `final` and `override` return the function unchanged;
- tqdm: `tqdm(iterable, ...)` is the iterable, `tqdm.write` prints;
- filelock: `FileLock` is a context manager that does nothing;
- every other missing module (openai, anthropic, pandas, tree_sitter,
  ...) is a module whose attributes are inert classes: they can be
  subclassed, called and decorated with, and do nothing.

The scoring path (decoders, AST checker, multi-turn checker and backends,
agentic checker, score files, leaderboard CSVs) runs upstream's own code.
"""
import importlib.abc
import importlib.machinery
import os
import sys
import tempfile
import types

upstream_root, result_dir, score_dir = sys.argv[1:4]


class _InertMeta(type):
    def __getattr__(cls, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return _inert(name)


class _Inert(metaclass=_InertMeta):
    def __init__(self, *args, **kwargs):
        pass

    def __call__(self, *args, **kwargs):
        return _Inert()

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return _inert(name)

    def __iter__(self):
        return iter(())

    def __or__(self, other):
        return _Inert()

    __ror__ = __and__ = __rand__ = __or__


def _inert(name):
    return _InertMeta(name, (_Inert,), {})


def _module(name, attrs=None, package=True):
    m = types.ModuleType(name)
    if package:
        m.__path__ = []
    m.__getattr__ = lambda attr: _inert(attr) if not attr.startswith("__") else (_ for _ in ()).throw(AttributeError(attr))
    for k, v in (attrs or {}).items():
        setattr(m, k, v)
    return m


class _Tqdm:
    def __init__(self, iterable=None, *args, **kwargs):
        self.iterable = iterable if iterable is not None else []

    def __iter__(self):
        return iter(self.iterable)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def update(self, *args):
        pass

    @staticmethod
    def write(s, *args, **kwargs):
        print(s)


class _FileLock:
    def __init__(self, *args, **kwargs):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


HANDMADE = {
    "overrides": {"final": lambda f: f, "override": lambda f: f},
    "tqdm": {"tqdm": _Tqdm},
    "filelock": {"FileLock": _FileLock},
}


class _StandIns(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, fullname, path, target=None):
        return importlib.machinery.ModuleSpec(fullname, self, is_package=True)

    def create_module(self, spec):
        return _module(spec.name, HANDMADE.get(spec.name))

    def exec_module(self, module):
        pass


for name in HANDMADE:
    try:
        __import__(name)
    except ImportError:
        sys.modules[name] = _module(name, HANDMADE[name])
sys.meta_path.append(_StandIns())

os.environ.setdefault("BFCL_PROJECT_ROOT", tempfile.mkdtemp(prefix="bfcl-project-"))
sys.path.insert(0, upstream_root)

from bfcl_eval.eval_checker import eval_runner  # noqa: E402

eval_runner.main(None, ["all"], os.path.abspath(result_dir), os.path.abspath(score_dir))
