# The per-episode interpreter of seeupo's AppWorld environment, run with
# python3 -I -S -c. It reads frames (a 4-byte big-endian length, then JSON)
# on fd 3 and writes frames on fd 4: one result per code cell, and one call
# per API call, whose answer comes back on fd 3. Code cells run in one
# persistent namespace. The audit hook below is a first wall only; the
# server runs this process in an OS-level sandbox (docs/threat-model.md).
import json
import linecache
import os
import signal
import struct
import sys
import traceback

CELL = "<python-input>"
THIS_FILE = "<string>"  # the file name of code run with -c
MAX_OUTPUT, LIMIT_STATUS = 100000, 429
_SEQ, _TOKEN = 0, ""


class CallLimitExceeded(BaseException):
    """Raised when a cell exceeds its API-call cap; user code cannot catch it as Exception."""


class OutputLimitExceeded(BaseException):
    """Raised when a cell prints more than the output cap."""


def _read_exact(n):
    buf = bytearray()
    while len(buf) < n:
        chunk = os.read(3, n - len(buf))
        if not chunk:
            raise EOFError("the server closed the command channel")
        buf += chunk
    return bytes(buf)


def _read_frame():
    # An interrupt must not land between the bytes of one frame.
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        (n,) = struct.unpack(">I", _read_exact(4))
        return json.loads(_read_exact(n))
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _write_frame(obj):
    body = json.dumps(obj).encode()
    data = struct.pack(">I", len(body)) + body
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        while data:
            data = data[os.write(4, data):]
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _make_audit():
    blocked = frozenset({
        "subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "os.forkpty",
        "os.kill", "os.killpg", "signal.pthread_kill", "pty.spawn", "ctypes.dlopen", "ctypes.dlsym",
        "ctypes.cdata", "os.setpgid", "os.setsid",
    })
    network = frozenset({
        "socket.__new__", "socket.bind", "socket.connect", "socket.listen", "socket.sendto", "socket.sendmsg",
        "socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyaddr", "socket.getnameinfo",
    })

    def audit(event, args, _blocked=blocked, _network=network, _error=PermissionError):
        if event in _blocked:
            raise _error("Blocked by the sandbox: %s is not allowed." % event)
        if event in _network:
            raise _error("Network access is blocked by the sandbox: use the apis object.")

    return audit


class _Capture:
    """A text stream that keeps at most MAX_OUTPUT characters and stops the cell past them."""

    def __init__(self):
        self.parts, self.size, self.over = [], 0, False

    def write(self, s):
        if not isinstance(s, str):
            raise TypeError("write() argument must be str, not %s" % type(s).__name__)
        room = MAX_OUTPUT - self.size
        if len(s) > room:
            self.parts.append(s[:max(room, 0)])
            self.size = MAX_OUTPUT
            self.over = True
            raise OutputLimitExceeded()
        self.parts.append(s)
        self.size += len(s)
        return len(s)

    def flush(self):
        pass

    def isatty(self):
        return False

    def text(self):
        return "".join(self.parts)


class _App:
    def __init__(self, name):
        self._name = name

    def __getattr__(self, api):
        if api.startswith("_"):
            raise AttributeError(api)
        app = self._name

        def call(**kwargs):
            return _request(app, api, kwargs)

        call.__name__ = api
        call.__qualname__ = app + "." + api
        return call

    def __repr__(self):
        return "<app %s>" % self._name


class _Apis:
    def __getattr__(self, app):
        if app.startswith("_"):
            raise AttributeError(app)
        return _App(app)

    def __repr__(self):
        return "<apis>"


def _request(app, api, kwargs):
    _write_frame({"type": "call", "seq": _SEQ, "token": _TOKEN, "app": app, "api": api, "args": kwargs})
    while True:
        answer = _read_frame()
        if answer.get("type") == "answer":
            break
    status, text = answer["http_status"], answer["body"]
    if status == LIMIT_STATUS:
        raise CallLimitExceeded(json.loads(text).get("message", ""))
    if status != 200:
        raise Exception("Response status code is %d:\n%s" % (status, text.strip()))
    return json.loads(text)


def _format_failure(exc):
    if isinstance(exc, SyntaxError) and exc.filename == CELL:
        return "Execution failed. Traceback:\nSyntax error in line:\n%s\nMessage: %s" % (
            (exc.text or "").rstrip("\n"), exc.msg)
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename != THIS_FILE]
    lines = traceback.format_list(frames) + traceback.format_exception_only(type(exc), exc)
    return "Execution failed. Traceback:\n" + "".join(lines).rstrip("\n")


def _run(code, namespace):
    out = _Capture()
    linecache.cache[CELL] = (len(code), None, code.splitlines(True), CELL)
    saved = sys.stdout, sys.stderr
    sys.stdout = sys.stderr = out
    status, failure = "ok", ""
    try:
        exec(compile(code, CELL, "exec"), namespace)
    except OutputLimitExceeded:
        status = "output_limit"
    except CallLimitExceeded as e:
        status, failure = "call_limit", str(e)
    except KeyboardInterrupt:
        status = "interrupted"
    except SystemExit:
        status = "exit"
    except BaseException as e:  # noqa: BLE001 - every failure becomes an observation
        status, failure = "error", _format_failure(e)
    finally:
        sys.stdout, sys.stderr = saved
    return {"status": status, "output": out.text(), "failure": failure[-max(MAX_OUTPUT, 20000):]}


def _reap():
    # This process is the sandbox's init: collect the cell's ended children.
    try:
        while os.waitpid(-1, os.WNOHANG)[0] > 0:
            pass
    except ChildProcessError:
        pass


def _freeze_clock(text):
    """Stops the cells' clock at text, an ISO date-time taken as UTC:
    datetime.now/today/utcnow, date.today, time.time and time.time_ns give
    it, as AppWorld freezes time at the task's date-time."""
    import datetime, time
    real_datetime, real_date = datetime.datetime, datetime.date
    stamp = real_datetime.fromisoformat(text).replace(tzinfo=datetime.timezone.utc).timestamp()

    class _DateMeta(type):
        def __instancecheck__(cls, obj):
            return isinstance(obj, real_date)

    class _DateTimeMeta(_DateMeta):
        def __instancecheck__(cls, obj):
            return isinstance(obj, real_datetime)

    class date(real_date, metaclass=_DateMeta):
        @classmethod
        def today(cls):
            return real_date.fromisoformat(text[:10])

    class frozen_datetime(real_datetime, metaclass=_DateTimeMeta):
        @classmethod
        def now(cls, tz=None):
            now = real_datetime.fromisoformat(text)
            return now if tz is None else tz.fromutc(now.replace(tzinfo=tz))

        @classmethod
        def utcnow(cls):
            return real_datetime.fromisoformat(text)

        @classmethod
        def today(cls):
            return real_datetime.fromisoformat(text)

    frozen_datetime.__name__ = frozen_datetime.__qualname__ = "datetime"
    date.__module__ = frozen_datetime.__module__ = "datetime"
    datetime.datetime, datetime.date = frozen_datetime, date
    time.time = lambda: stamp
    time.time_ns = lambda: int(stamp) * 1_000_000_000


def _set_limits():
    # The rlimits (argument 1: JSON from resource names to values) are set
    # here, soft = hard so that no cell can raise them, before this process
    # says it booted and so before any cell runs; the sandbox's init cannot
    # set them itself (docs/threat-model.md).
    import resource
    for name, value in json.loads(sys.argv[1]).items():
        resource.setrlimit(getattr(resource, name), (value, value))


def main():
    global MAX_OUTPUT, LIMIT_STATUS, _SEQ, _TOKEN
    _set_limits()
    _write_frame({"type": "booted"})
    # The process may be started ahead of use; its session begins with
    # one configuration frame.
    cfg = _read_frame()["config"]
    MAX_OUTPUT, LIMIT_STATUS = int(cfg["max_output"]), int(cfg["limit_status"])
    if cfg.get("clock"):
        _freeze_clock(cfg["clock"])
    namespace = {"__name__": "__main__", "__builtins__": __builtins__, "apis": _Apis()}
    sys.addaudithook(_make_audit())
    _write_frame({"type": "ready"})
    while True:
        command = _read_frame()
        if command.get("type") != "run":
            continue
        _SEQ, _TOKEN = command["seq"], command["token"]
        try:
            result = _run(command["code"], namespace)
        except KeyboardInterrupt:
            result = {"status": "interrupted", "output": "", "failure": ""}
        result.update(type="result", seq=_SEQ, token=_TOKEN)
        _write_frame(result)
        _reap()


try:
    main()
except EOFError:
    pass
finally:
    # Hook-only mode works in a directory of the host: remove it when the
    # server is gone.
    here = os.getcwd()
    if os.path.basename(here).startswith("seeupo-cell-"):
        import shutil
        shutil.rmtree(here, ignore_errors=True)
