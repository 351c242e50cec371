"""The process of a ``daryo`` command: its exit codes, its standard streams (closed pipes, unencodable text,
write errors), SIGTERM, and the exceptions that end a command with a message."""

from __future__ import annotations

import codecs
import contextlib
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from .._files import missing_cwd_note
from ..errors import printable

EXIT_OK, EXIT_INPUT, EXIT_USAGE, EXIT_PIPE = 0, 1, 2, 141
#: daryo compare --fail-on-change of two runs whose results change
EXIT_CHANGED = 3


def _os_error_text(exc: OSError) -> str:
    """An OSError's message without Python's "[Errno N]" prefix: "No such file or directory: 'x.nc'"."""
    if exc.strerror is None:
        return str(exc)
    if exc.filename is None and isinstance(exc, FileNotFoundError) and (note := missing_cwd_note()):
        return note
    return f"{exc.strerror}: {str(exc.filename)!r}" if exc.filename is not None else exc.strerror


class _UsageError(Exception):
    pass


class _Terminated(BaseException):
    """SIGTERM (or SIGHUP: a logout), raised where the process is, so that temporary files are removed on the way
    out; ``code``: the command's exit code (143, or 129 for SIGHUP)."""

    def __init__(self, code: int = 143):
        super().__init__(code)
        self.code = code

    @property
    def word(self) -> str:
        """What the command says it was: "hung up" (SIGHUP, 129: an operations review read "terminated" in the log of
        a logout) or "terminated"."""
        return signal_word(self.code)


def signal_word(code: int) -> str:
    """What a command stopped by a signal says it was, by its exit code: "interrupted" (130, Ctrl-C), "hung up"
    (129, SIGHUP) or "terminated" (SIGTERM)."""
    return {130: "interrupted", 129: "hung up"}.get(code, "terminated")


class _Signals:
    """The interrupts a command receives, Ctrl-C (SIGINT: ``KeyboardInterrupt``), SIGTERM and SIGHUP (a logout, a
    closed terminal: :class:`_Terminated`, as SIGTERM, exit 129; a trainer's review: a logout left a run's hidden
    temporary files behind), raised where the process is and remembered: one that a compiled library swallows
    (Numba compiles inside a ctypes callback, which prints the exception as "ignored" and drops it, and the compiler
    then fails with an error of its own) still ends the command as interrupted or terminated, not as an internal
    error (a CLI review: Ctrl-C during the first run's compile was reported as a bug in daryo, after a traceback).
    A context manager: the handlers of SIGTERM and SIGHUP (in the main thread only; SIGHUP's only where it is not
    ignored: nohup) and ``sys.unraisablehook``, which records a swallowed Ctrl-C, are set for the command and
    restored after it."""

    def __init__(self) -> None:
        self.code: int | None = None  # 130 (SIGINT), 143 (SIGTERM) or 129 (SIGHUP), once one is received
        self._previous: list[tuple[Any, Any]] = []
        self._hook: Any = None

    def _on_term(self, signum: int, frame: object) -> None:
        self.code = 143
        raise _Terminated(143)

    def _on_hup(self, signum: int, frame: object) -> None:
        self.code = 129
        raise _Terminated(129)

    def _unraisable(self, unraisable: Any) -> None:
        exc = unraisable.exc_value  # (an interrupt swallowed: the command's end tells it, not a traceback)
        if isinstance(exc, KeyboardInterrupt):
            self.code = 130
        elif isinstance(exc, _Terminated):
            self.code = exc.code
        else:
            self._hook(unraisable)

    def __enter__(self) -> _Signals:
        import signal
        import threading

        if threading.current_thread() is threading.main_thread():  # (elsewhere Python cannot set them; SIGINT's
            # is Python's own, which daryo._files.interrupts_between holds back inside writes)
            self._previous.append((signal.SIGTERM, signal.signal(signal.SIGTERM, self._on_term)))
            hup = getattr(signal, "SIGHUP", None)  # (not on Windows)
            if hup is not None and signal.getsignal(hup) is signal.SIG_DFL:  # (not one ignored: nohup)
                self._previous.append((hup, signal.signal(hup, self._on_hup)))
        self._hook, sys.unraisablehook = sys.unraisablehook, self._unraisable
        return self

    def __exit__(self, *exc: object) -> None:
        import signal

        for signum, handler in reversed(self._previous):
            signal.signal(signum, handler)
        sys.unraisablehook = self._hook

    def ended(self) -> int | None:
        """Say that the command was interrupted or terminated, where a signal was received, and return its exit code
        (None: none was)."""
        if self.code is not None:
            _err(signal_word(self.code))
        return self.code


class _InputError(Exception):
    """Invalid input (a model or run that cannot be done): exit 1."""


class _StdoutError(OSError):
    """Standard output cannot be written (a closed pipe aside, which is a BrokenPipeError)."""


class _Stdout:
    """Standard output whose write errors are told apart from those of the files a command writes."""

    def __init__(self, stream: Any):
        self._stream = stream

    def write(self, text: str) -> int:
        return self._guarded(self._stream.write, text)

    def flush(self) -> None:
        self._guarded(self._stream.flush)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)

    @staticmethod
    def _guarded(call: Callable[..., Any], *args: Any) -> Any:
        try:
            return call(*args)
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise _StdoutError(exc.errno, exc.strerror) from exc


def _tolerate_unencodable(*streams: Any) -> Callable[[], None]:
    """Write what a stream's encoding cannot (``hm³``, ``—`` on an ASCII terminal or log, ``LC_ALL=C``) as escapes
    (``hm\\xb3``), rather than stop the command with a UnicodeEncodeError; the bytes of a file name that is not
    UTF-8 (held as lone surrogates) are written as they are, as Python writes them on its own.  Returns what sets
    the streams' error handlers back as they were."""
    codecs.register_error(_ESCAPE, _escape_unencodable)  # (the same function each time: registering is idempotent)
    changed: list[tuple[Any, str]] = []
    for stream in streams:
        try:
            before = stream.errors
            stream.reconfigure(errors=_ESCAPE)
            changed.append((stream, before))
        except (AttributeError, ValueError, OSError):  # (not a text file: a replaced stream; closed)
            pass

    def restore() -> None:
        for stream, errors in changed:
            with contextlib.suppress(AttributeError, ValueError, OSError):
                stream.reconfigure(errors=errors)

    return restore


#: the name of the error handler of :func:`_tolerate_unencodable`
_ESCAPE = "daryo-escape"


#: the plain stand-ins of the symbols daryo's own text writes (units, dashes, signs), where a console cannot show
#: them (a Windows console's cp866 or cp1251, an ASCII log): ``hm3/yr`` reads where ``hm\xb3/yr`` does not (a
#: Tashkent analyst's review); a name's letters are escaped as before
_STAND_INS = {"³": "3", "²": "2", "—": "-", "–": "-", "−": "-", "±": "+/-", "×": "x", "≥": ">=", "≤": "<=",
              "…": "...", "→": "->", "≈": "~", "·": ".", "‘": "'", "’": "'", "“": '"', "”": '"', "\u00a0": " "}


def _escape_unencodable(exc: UnicodeError) -> tuple[str | bytes, int]:
    """A file name's undecodable bytes (U+DC80–U+DCFF, ``surrogateescape``'s) as those bytes; a symbol of
    :data:`_STAND_INS` as its plain stand-in; anything else that cannot be encoded as a backslash escape."""
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    text = exc.object[exc.start:exc.end]
    if all(0xDC80 <= ord(c) <= 0xDCFF for c in text):
        return bytes(ord(c) - 0xDC00 for c in text), exc.end
    if all(c in _STAND_INS for c in text):
        return "".join(_STAND_INS[c] for c in text), exc.end
    return codecs.backslashreplace_errors(exc)


def _drop_stdout() -> None:
    """Point standard output at /dev/null, so that flushing what is left at exit cannot fail again."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # no file descriptor (a replaced sys.stdout)
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
    finally:
        os.close(devnull)


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and the exceptions that led to it (its cause, or else its context), in turn."""
    seen: set[int] = set()
    e: BaseException | None = exc
    while e is not None and id(e) not in seen:
        yield e
        seen.add(id(e))
        e = e.__cause__ or e.__context__


def _caused_by(exc: BaseException, kind: type[BaseException]) -> bool:
    """Whether an exception of ``kind`` is in the chain of exceptions that led to ``exc``."""
    return any(isinstance(e, kind) for e in _chain(exc))


def _err(msg: str) -> None:
    print(msg, file=sys.stderr)


#: the environment variable that has an unexpected error's traceback printed (any value but empty or 0)
TRACEBACK_VARIABLE = "DARYO_TRACEBACK"

#: what to do when a command runs out of memory, by command (others: :data:`_OUT_OF_MEMORY_ELSE`)
_OUT_OF_MEMORY = {
    "run": "run fewer scenarios or years, or run an ensemble (daryo ensemble), which writes its results to disk as "
           "it goes",
    "ensemble": "give a smaller --chunk-size (each chunk's traces are held in memory), or fewer --workers (each "
                "holds a chunk)",
}
_OUT_OF_MEMORY_ELSE = "the files are too large for the memory this process may take"


def _unexpected(exc: Exception, command: str | None) -> int:
    """Report an error no command expects (a bug in daryo, or memory run out) in a line or two rather than a
    traceback that names the installation's paths (a security review): ``daryo: internal error: TYPE: message``
    and how to see its traceback (:data:`TRACEBACK_VARIABLE`), or, for a MemoryError, what to do instead;
    returns the exit code (1, as for invalid input).  With the variable set, the traceback comes first."""
    shown = os.environ.get(TRACEBACK_VARIABLE, "") not in ("", "0")
    if shown:
        import traceback

        traceback.print_exception(exc, file=sys.stderr)
    text = printable(str(exc).strip())  # (an exception's text may quote a file's: a diff review)
    if isinstance(exc, MemoryError):  # (NumPy's says the size: "Unable to allocate 488 MiB for an array …")
        _err(f"daryo: error: out of memory{f' ({text})' if text else ''}: "
             f"{_OUT_OF_MEMORY.get(command or '', _OUT_OF_MEMORY_ELSE)}")
        return EXIT_INPUT
    _err(f"daryo: internal error: {type(exc).__name__}{f': {text}' if text else ''}")
    if not shown:
        _err(f"daryo: this is a bug in daryo; run again with {TRACEBACK_VARIABLE}=1 to see its traceback, and "
             "include it in a report")
    return EXIT_INPUT


def _command_in(argv: Sequence[str] | None) -> str | None:
    """The command a ``daryo`` command line names (its first word that is not an option), or None."""
    words = sys.argv[1:] if argv is None else argv
    return next((w for w in words if not w.startswith("-")), None)
