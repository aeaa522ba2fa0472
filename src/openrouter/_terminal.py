"""The live view of ``openrouter chat``: tokens on standard output as they
arrive, and on standard error a waiting indicator, dimmed reasoning and the
closing summary.

The indicator is for people watching a terminal: it is drawn only when
standard error is one, on a single line rewritten in place with ``\\r``, and
erased (``\\r`` then ``ESC [K``) before anything else is written. A model can
think for minutes while OpenRouter sends only keepalive comments, so the
line is redrawn on each keepalive and, in between, by a background thread
every :data:`REFRESH_SECONDS`, so the elapsed time keeps moving even when
the blocking read gives no control back.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Sequence
from typing import Final, TextIO

__all__ = [
    "DIM",
    "ERASE_LINE",
    "REFRESH_SECONDS",
    "RESET",
    "WAITING_TEXT",
    "LiveView",
    "json_for_terminal",
    "printable",
    "table",
]

#: How often the waiting line is redrawn between keepalives (seconds).
REFRESH_SECONDS: Final = 0.1

#: The words of the waiting line (tests look for them).
WAITING_TEXT: Final = "waiting for the model"

#: ANSI: dim (faint) text, and back to normal.
DIM: Final = "\x1b[2m"
RESET: Final = "\x1b[0m"

#: Back to the start of the line and erase it (ANSI "erase in line", to the end).
ERASE_LINE: Final = "\r\x1b[K"

_SPINNER: Final = "|/-\\"

# What a terminal could act on, or cannot encode: C0 controls, DEL, C1
# controls (U+0080 to U+009F: some terminals read U+009B as CSI), the
# bidirectional embeddings, overrides and isolates (U+202A to U+202E, U+2066
# to U+2069), which reorder what is shown around them, and lone surrogates
# (which JSON may carry and no encoder accepts).
_UNSAFE: Final = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_UNSAFE_IN_TEXT: Final = re.compile(
    "\r\n|[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
_UNSAFE_IN_JSON: Final = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    text = match.group()
    if text == "\r\n":
        return "\n"
    code = ord(text)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str, *, multiline: bool = False) -> str:
    """``text`` from the network, made safe to write to a terminal.

    Control characters are shown escaped instead of acting: C0 (ESC is
    ``\\x1b``), DEL and C1 as ``\\xNN``, bidirectional embeddings, overrides
    and isolates and a lone surrogate as ``\\uXXXX``. With
    ``multiline`` (an answer's content or reasoning) ``\\n`` and ``\\t`` are
    kept and ``\\r\\n`` becomes ``\\n``; without it (one line of a table or a
    message) they are escaped too. Everything else is unchanged.
    """
    return (_UNSAFE_IN_TEXT if multiline else _UNSAFE).sub(_escape, text)


def json_for_terminal(text: str) -> str:
    """Serialized JSON (``ensure_ascii=False``) with DEL, C1 controls,
    bidirectional embeddings, overrides and isolates, and lone surrogates
    written as ``\\uXXXX`` escapes: the same JSON value,
    safe for a terminal and encodable as UTF-8 (JSON already escapes C0)."""
    return _UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


class LiveView:
    """Writes one streamed answer: content to ``out``, everything else to ``err``.

    ``waiting`` turns the indicator on (callers pass ``err.isatty()``);
    ``dim`` wraps reasoning in ANSI dim. Call :meth:`start` before sending
    the request, :meth:`heartbeat` for each heartbeat, a keepalive comment (it is safe
    from any thread), :meth:`notice` for a line of news (a retry),
    :meth:`content` / :meth:`reasoning` per delta, and
    :meth:`stop` at the end, whatever happened: it erases the indicator and
    joins the refresh thread. Never raises except for write errors.
    """

    def __init__(self, out: TextIO, err: TextIO, *, waiting: bool, dim: bool) -> None:
        self._out = out
        self._err = err
        self._waiting = waiting
        self._dim = dim
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None
        self._shown = False  # the indicator is on screen
        self._started = 0.0
        self._frame = 0
        self._in_reasoning = False
        #: Keepalive comments seen.
        self.heartbeats = 0
        #: ``time.perf_counter()`` of the first content or reasoning delta, or None.
        self.first_token_at: float | None = None
        #: Whether any content was written to ``out``.
        self.wrote_content = False
        self._content_ends_with_newline = False

    # -- indicator -----------------------------------------------------------------

    def start(self) -> None:
        """Start the clock (and the indicator, when waiting is on)."""
        self._started = time.perf_counter()
        if not self._waiting:
            return
        with self._lock:
            self._draw()
        self._thread = threading.Thread(
            target=self._refresh, name="openrouter-waiting", daemon=True
        )
        self._thread.start()

    @property
    def started(self) -> float:
        """``time.perf_counter()`` when :meth:`start` ran."""
        return self._started

    def _refresh(self) -> None:
        while not self._stopped.wait(REFRESH_SECONDS):
            with self._lock:
                if self.first_token_at is None:
                    self._draw()

    def _draw(self) -> None:
        # Called with the lock held, only until the first token.
        if not self._waiting or self._stopped.is_set() or self.first_token_at is not None:
            return
        elapsed = time.perf_counter() - self._started
        spin = _SPINNER[self._frame % len(_SPINNER)]
        self._frame += 1
        count = self.heartbeats
        beats = f", {count} keepalive{'' if count == 1 else 's'}" if count else ""
        self._err.write(f"\r{spin} {WAITING_TEXT}... {elapsed:.1f} s{beats}\x1b[K")
        self._err.flush()
        self._shown = True

    def _erase(self) -> None:
        # Called with the lock held.
        if self._shown:
            self._err.write(ERASE_LINE)
            self._err.flush()
            self._shown = False

    def heartbeat(self, text: str) -> None:
        """A keepalive comment arrived (the client's ``on_heartbeat``)."""
        del text
        with self._lock:
            self.heartbeats += 1
            self._draw()

    def notice(self, line: str) -> None:
        """Write ``line`` (one line, safe for a terminal) on ``err``; the
        waiting indicator, when shown, is erased first and drawn again below
        it. Safe from any thread."""
        with self._lock:
            self._erase()
            self._err.write(line + "\n")
            self._err.flush()
            self._draw()

    # -- tokens ----------------------------------------------------------------------

    def _first(self) -> None:
        # Called with the lock held.
        if self.first_token_at is None:
            self.first_token_at = time.perf_counter()
            self._erase()

    def reasoning(self, text: str) -> None:
        """Write a reasoning delta to ``err`` (dimmed when asked), through
        :func:`printable`."""
        if not text:
            return
        with self._lock:
            self._first()
            self._in_reasoning = True
            text = printable(text, multiline=True)
            self._err.write(f"{DIM}{text}{RESET}" if self._dim else text)
            self._err.flush()

    def content(self, text: str) -> None:
        """Write a content delta to ``out`` (through :func:`printable`) and flush it."""
        if not text:
            return
        with self._lock:
            self._first()
            if self._in_reasoning:
                # The reasoning ended: finish its line before the answer starts.
                self._in_reasoning = False
                self._err.write("\n")
                self._err.flush()
            text = printable(text, multiline=True)
            self._out.write(text)
            self._out.flush()
            self.wrote_content = True
            self._content_ends_with_newline = text.endswith("\n")

    def stop(self) -> None:
        """Erase the indicator, stop refreshing, and end the answer's line. Idempotent."""
        with self._lock:
            self._stopped.set()
            self._erase()
            if self._in_reasoning:
                self._in_reasoning = False
                self._err.write("\n")
                self._err.flush()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if self.wrote_content and not self._content_ends_with_newline:
            self._content_ends_with_newline = True
            self._out.write("\n")
            self._out.flush()


def table(rows: Sequence[Sequence[str]], right: frozenset[int] = frozenset()) -> str:
    """``rows`` as aligned text columns, two spaces apart: each cell shown
    as :func:`printable` makes it, columns in ``right`` right-aligned, no
    trailing spaces. The first row is the header."""
    rows = [[printable(cell) for cell in row] for row in rows]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [
            cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
            for i, cell in enumerate(row)
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)
