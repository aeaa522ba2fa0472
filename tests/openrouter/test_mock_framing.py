"""The mock server's stream framing: sseproto's ServerStream, in OpenRouter's shapes."""

from __future__ import annotations

import pytest

import sseproto
from openrouter.testing._render import Framer
from openrouter.testing._script import Stall


@pytest.mark.parametrize("newline", [b"\n", b"\r\n", b"\r"])
def test_events_are_encode_event_frames(newline: bytes) -> None:
    """Each event is one step, the encoder's bytes for it, then the delay."""
    frames = Framer(newline=newline, delay=0.5)
    frames.event(b'{"a":1}')
    frames.event(b"[DONE]", type="data", pause=False)
    ending = newline.decode()
    assert frames.steps == [
        sseproto.encode_event('{"a":1}', line_ending=ending),
        0.5,
        sseproto.encode_event("[DONE]", type="data", line_ending=ending),
    ]


@pytest.mark.parametrize("newline", [b"\n", b"\r"])
def test_keepalive_is_a_comment_and_a_blank_line(newline: bytes) -> None:
    """OpenRouter's keepalive: the comment line and a blank line, one step."""
    frames = Framer(newline=newline)
    frames.keepalive()
    assert frames.steps == [b": OPENROUTER PROCESSING" + newline + newline]


def test_split_event_cuts_inside_a_character() -> None:
    """split_event writes two halves, the first ending just after a lead byte."""
    frames = Framer()
    data = '{"c":"ab\u00e9"}'.encode()
    frames.split_event(data)
    first, pause, second, last_pause = frames.steps
    assert (pause, last_pause) == (0.0, 0.0)
    assert isinstance(first, bytes)
    assert isinstance(second, bytes)
    assert first + second == sseproto.encode_event(data.decode())
    assert first.endswith(b"\xc3")


def test_split_event_without_multibyte_cuts_in_the_middle() -> None:
    """With no multi-byte character the cut is at the middle of the frame."""
    frames = Framer()
    frames.split_event(b"abcd")
    assert frames.steps[0] == b"data: "
    assert frames.steps[2] == b"abcd\n\n"


def test_pauses_and_stalls_pass_through() -> None:
    """pause() adds the step as it is."""
    frames = Framer()
    stall = Stall()
    frames.pause(1.5)
    frames.pause(stall)
    assert frames.steps == [1.5, stall]
