"""hypothesis strategies for event streams."""

from __future__ import annotations

from hypothesis import strategies as st

# Pieces that make streams hit every branch of the parser when concatenated.
FRAGMENTS = [
    b"data",
    b"data:",
    b"data: ",
    b"data:x",
    b"data: hello",
    b"event",
    b"event: t",
    b"event:",
    b"id",
    b"id:",
    b"id: 1",
    b"id: 2",
    b"id: \x00",
    b"retry",
    b"retry: 10",
    b"retry: +5",
    b"retry: 1_0",
    b"retry:",
    b"retry: 99",
    b":",
    b": comment",
    b"::",
    b"Data: x",
    b"foo: bar",
    b"\n",
    b"\r",
    b"\r\n",
    b"\n\n",
    b"\r\n\r\n",
    b" ",
    b"\xef\xbb\xbf",
    b"\xef\xbb",
    b"\xff",
    b"\xe2\x82",
    b"\xc3\xa9",
    b"\xf0\x9f\x8e\x89",
    "\u2028".encode(),
    "\u0085".encode(),
    b"\x0b",
    b"\x0c",
    b"\x00",
    b"[DONE]",
    b'{"a": 1}',
]

streams = st.one_of(
    st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.binary(max_size=4)), max_size=40).map(
        b"".join
    ),
    st.binary(max_size=200),
)


@st.composite
def chunkings(draw: st.DrawFn, data: bytes) -> list[int]:
    """Split points for data."""
    return draw(st.lists(st.integers(0, len(data)), max_size=12))


# Text that survives encoding: any str except lone surrogates, which UTF-8 cannot carry.
texts = st.text(st.characters(exclude_categories=["Cs"]), max_size=30)
single_line_texts = texts.filter(lambda s: "\r" not in s and "\n" not in s)
