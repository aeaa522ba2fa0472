"""Items produced by the parser.

``Event`` and ``Comment`` are immutable value objects. They are ``NamedTuple``
subclasses rather than frozen dataclasses because creating one is the
dominant per-event cost of parsing small events: a tuple is built in one C
call while a frozen dataclass goes through ``object.__setattr__`` once per
field (measured by ``benchmarks/parsers.py --items``). A consequence worth
knowing: they compare equal to plain tuples with the same values.
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["Comment", "Event"]


class Event(NamedTuple):
    """A dispatched event (WHATWG HTML, "dispatch the event").

    ``type`` is the value of the last ``event:`` field of the block, or
    ``"message"`` when there was none or it was empty. ``data`` is the block's
    ``data:`` values joined with ``"\\n"``. ``id`` is the last event ID at the
    time of dispatch (``""`` when never set); it carries over from earlier
    events, as the ``lastEventId`` of a browser's ``MessageEvent`` does.
    """

    type: str
    data: str
    id: str = ""


class Comment(NamedTuple):
    """A comment line (one starting with ``:``), returned only when asked for.

    ``text`` is what follows the colon, with one leading space removed (the
    same rule as field values), so ``": OPENROUTER PROCESSING"`` gives
    ``Comment(text="OPENROUTER PROCESSING")``.
    """

    text: str
