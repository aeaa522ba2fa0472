"""The request flows of ``sseproto.http``, driven by a scripted runner.

No sockets and no real clock: :class:`ScriptRunner` answers each operation a
flow yields from a script (a :class:`Head` or :class:`TimedOut` for each
``SendRequest``, bytes, ``None`` or an exception for each ``ReadBody``), and
:class:`FakeClock` only moves when the script says so. Whatever the flow
decides (redirects, time limits, reconnection) is then checked exactly.
"""

from __future__ import annotations

import inspect
from collections import deque
from collections.abc import Generator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeAlias

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sseproto import (
    Comment,
    Event,
    EventStreamParser,
    LineTooLong,
    LocalProtocolError,
    ReconnectGaveUp,
    ReconnectPolicy,
    ResponseRejected,
)
from sseproto.adapters import (
    MAX_LOCATION_SIZE,
    USER_AGENT,
    BodyTooLarge,
    ConnectTimeout,
    EventTimeout,
    IncompleteBody,
    InsecureRedirect,
    InvalidRedirect,
    ReadError,
    ReadTimeout,
    Response,
    SyncDriver,
    Timeout,
    Timeouts,
    TooManyRedirects,
    TotalTimeout,
    UnexpectedContentEncoding,
)
from sseproto.http import (
    CloseResponse,
    ConnectionPool,
    Deliver,
    Drain,
    Head,
    HTTP11Connections,
    OpenConnection,
    Opened,
    ReadBody,
    ReceiveBytes,
    SendBytes,
    SendRequest,
    TimedOut,
    Wait,
    request_flow,
    stream_flow,
    subscribe_flow,
)
from sseproto.http._decoding import accept_encoding

from .helpers import run, split
from .strategies import chunkings, streams
from .vectors import VECTORS, Vector

Item = Event | Comment
Flow: TypeAlias = Generator[Any, Any, Any]

URL = "http://example.test/events"
SSE: tuple[tuple[str, str], ...] = (("content-type", "text/event-stream"),)
#: Limits that never pass unless a test makes them.
NO_LIMITS = Timeouts(connect=None, read=None)


# -- the scripted runner -----------------------------------------------------------


class FakeClock:
    """A monotonic clock that moves only when told to."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass(frozen=True)
class After:
    """Move the clock ``seconds`` forward, then give ``result``."""

    seconds: float
    result: object


Answer: TypeAlias = Head | TimedOut | BaseException | After
Chunk: TypeAlias = bytes | BaseException | After | None


@dataclass
class Reply:
    """The answer to one ``SendRequest`` and the reads of its body (``b""``
    once the list runs out)."""

    head: Answer
    body: Sequence[Chunk] = ()


@dataclass
class Outcome:
    """Everything a flow did under a :class:`ScriptRunner`."""

    ops: list[object] = field(default_factory=list)
    requests: list[SendRequest] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    opened: list[Opened] = field(default_factory=list)
    sleeps: list[float] = field(default_factory=list)
    closes: int = 0
    error: BaseException | None = None
    result: object = None
    #: The script ran out of replies and the runner closed the flow.
    stopped: bool = False

    def events(self) -> list[Event]:
        return [item for item in self.items if type(item) is Event]


class ScriptRunner:
    """Performs a flow's operations from a script of replies.

    A ``SendRequest`` after the last reply closes the flow (``stopped``);
    reading past a body's end or without a response fails the test.
    """

    def __init__(self, replies: Sequence[Reply], clock: FakeClock) -> None:
        self.replies = deque(replies)
        self.clock = clock
        self._body: deque[Chunk] | None = None

    def _resolve(self, answer: object) -> tuple[object, BaseException | None]:
        if isinstance(answer, After):
            self.clock.advance(answer.seconds)
            answer = answer.result
        if isinstance(answer, BaseException):
            return None, answer
        return answer, None

    def run(self, gen: Flow, *, max_ops: int = 10_000) -> Outcome:
        outcome = Outcome()
        value: object = None
        error: BaseException | None = None
        for _ in range(max_ops):
            try:
                op = gen.send(value) if error is None else gen.throw(error)
            except StopIteration as stop:
                outcome.result = stop.value
                return outcome
            except Exception as exc:
                outcome.error = exc
                return outcome
            outcome.ops.append(op)
            value, error = self._perform(op, outcome)
            if outcome.stopped:
                gen.close()
                return outcome
        raise AssertionError("the flow did not end within max_ops operations")

    def _perform(self, op: object, outcome: Outcome) -> tuple[object, BaseException | None]:
        if isinstance(op, SendRequest):
            outcome.requests.append(op)
            if not self.replies:
                outcome.stopped = True
                return None, None
            reply = self.replies.popleft()
            self._body = deque(reply.body)
            return self._resolve(reply.head)
        if isinstance(op, ReadBody):
            assert self._body is not None, "ReadBody without a response, or after its end"
            if not self._body:
                self._body = None
                return b"", None
            return self._resolve(self._body.popleft())
        if isinstance(op, CloseResponse):
            outcome.closes += 1
            self._body = None
        elif isinstance(op, Wait):
            outcome.sleeps.append(op.seconds)
            self.clock.advance(op.seconds)
        elif isinstance(op, Opened):
            outcome.opened.append(op)
        elif isinstance(op, Deliver):
            assert op.items, "a Deliver without items"
            outcome.items.extend(op.items)
        else:  # pragma: no cover - a flow yields nothing else
            raise AssertionError(f"unexpected operation {op!r}")
        return None, None


def drive(clock: FakeClock, gen: Flow, replies: Sequence[Reply]) -> Outcome:
    """Run ``gen`` (built with ``clock``) against ``replies``."""
    return ScriptRunner(replies, clock).run(gen)


def ok(*extra: tuple[str, str]) -> Head:
    """An accepted event stream head."""
    return Head(200, "OK", SSE + extra)


def moved(status: int, location: str) -> Head:
    return Head(status, "Redirect", (("location", location), ("content-length", "0")))


def header(request: SendRequest, name: str) -> list[str]:
    return [value for key, value in request.headers if key.lower() == name.lower()]


def stream(
    clock: FakeClock, *, timeouts: Timeouts = NO_LIMITS, url: str = URL, **options: Any
) -> Flow:
    return stream_flow("GET", url, timeouts=timeouts, clock=clock, **options)


def subscribe(clock: FakeClock, *, timeouts: Timeouts = NO_LIMITS, **options: Any) -> Flow:
    return subscribe_flow(URL, timeouts=timeouts, clock=clock, **options)


def expected_items(data: bytes, *, comments: bool = False) -> list[Item]:
    return run([data], comments=comments).items


# -- stream_flow: accepted streams --------------------------------------------------


@pytest.mark.parametrize("vector", VECTORS, ids=[v.name for v in VECTORS])
@pytest.mark.parametrize("comments", [False, True], ids=["events", "comments"])
def test_stream_vector_whole_and_bytewise(vector: Vector, comments: bool) -> None:
    """A vector gives the parser's items through the flow, whole or a byte per read."""
    for body in ([vector.stream], [vector.stream[i : i + 1] for i in range(len(vector.stream))]):
        clock = FakeClock()
        pieces: list[Chunk] = [piece for piece in body if piece]
        outcome = drive(clock, stream(clock, comments=comments), [Reply(ok(), pieces)])
        assert outcome.error is None
        assert outcome.items == expected_items(vector.stream, comments=comments)
        assert outcome.events() == vector.events
        parser = outcome.result
        assert isinstance(parser, EventStreamParser)
        assert parser.unterminated is vector.unterminated
        assert parser.last_event_id == vector.last_event_id


@given(st.sampled_from(VECTORS).flatmap(lambda v: st.tuples(st.just(v), chunkings(v.stream))))
def test_stream_chunking_invariance(case: tuple[Vector, list[int]]) -> None:
    """However the body is split into reads, the flow emits the parser's items."""
    clock = FakeClock()
    vector, cuts = case
    pieces: list[Chunk] = [piece for piece in split(vector.stream, cuts) if piece]
    outcome = drive(clock, stream(clock, comments=True), [Reply(ok(), pieces)])
    assert outcome.error is None
    assert outcome.items == expected_items(vector.stream, comments=True)


@given(streams, st.data())
def test_stream_chunking_invariance_any_stream(data: bytes, draw: st.DataObject) -> None:
    """For any bytes, any split into reads gives the items and error of a whole feed."""
    clock = FakeClock()
    cuts = draw.draw(chunkings(data))
    pieces: list[Chunk] = [piece for piece in split(data, cuts) if piece]
    outcome = drive(clock, stream(clock, comments=True, max_line_size=64), [Reply(ok(), pieces)])
    whole = run([data], comments=True, max_line_size=64)
    assert outcome.items == whole.items
    error = None if outcome.error is None else type(outcome.error)
    assert error is whole.error


def test_stream_opened_before_items() -> None:
    """Opened comes once, before the first Deliver, with the head and the URL."""
    clock = FakeClock()
    head = ok(("x-request-id", "7"))
    outcome = drive(clock, stream(clock), [Reply(head, [b"data: a\n\n", b"data: b\n\n"])])
    kinds = [type(op) for op in outcome.ops]
    assert kinds == [
        SendRequest,
        Opened,
        ReadBody,
        Deliver,
        ReadBody,
        Deliver,
        ReadBody,
        CloseResponse,
    ]
    assert outcome.opened == [Opened(Head(200, "OK", head.headers, "HTTP/1.1", URL))]


def test_stream_releases_the_response_at_the_end() -> None:
    """The last operation of a stream read to its end is CloseResponse."""
    clock = FakeClock()
    gen = stream(clock)
    outcome = drive(clock, gen, [Reply(ok(), [b"data: a\n\n"])])
    assert outcome.closes == 1
    assert isinstance(outcome.ops[-1], CloseResponse)


def test_stream_unterminated_event_at_the_end() -> None:
    """An incomplete event at the end of the body is dropped and reported."""
    clock = FakeClock()
    outcome = drive(clock, stream(clock), [Reply(ok(), [b"data: a\n\ndata: b"])])
    assert outcome.items == [Event("message", "a")]
    parser = outcome.result
    assert isinstance(parser, EventStreamParser)
    assert parser.unterminated


def test_stream_limit_error_after_earlier_items() -> None:
    """A line past max_line_size raises LineTooLong after the items before it."""
    clock = FakeClock()
    body: list[Chunk] = [b"data: a\n\ndata: " + b"x" * 100]
    outcome = drive(clock, stream(clock, max_line_size=32), [Reply(ok(), body)])
    assert outcome.items == [Event("message", "a")]
    assert isinstance(outcome.error, LineTooLong)


def test_stream_body_error_after_earlier_items() -> None:
    """An HTTP error thrown into a read propagates after the items before it."""
    clock = FakeClock()
    body: list[Chunk] = [b"data: a\n\n", IncompleteBody("cut short")]
    outcome = drive(clock, stream(clock), [Reply(ok(), body)])
    assert outcome.items == [Event("message", "a")]
    assert isinstance(outcome.error, IncompleteBody)
    assert outcome.closes == 0, "the runner releases a response the flow raised from"


def test_stream_transport_error_on_send() -> None:
    """A ReadError thrown into SendRequest propagates unchanged."""
    clock = FakeClock()
    error = ReadError("reset")
    outcome = drive(clock, stream(clock), [Reply(error)])
    assert outcome.error is error
    assert outcome.opened == []


# -- stream_flow: rejected responses ----------------------------------------------


@pytest.mark.parametrize(
    ("status", "headers"),
    [
        (204, SSE),
        (500, SSE),
        (200, (("content-type", "application/json"),)),
        (200, ()),
        (404, (("content-type", "text/html"),)),
    ],
    ids=["204", "500", "wrong-type", "no-type", "404-html"],
)
def test_stream_rejected(status: int, headers: tuple[tuple[str, str], ...]) -> None:
    """A response that cannot be a stream raises ResponseRejected with its status, headers, body."""
    clock = FakeClock()
    head = Head(status, "Nope", headers)
    outcome = drive(clock, stream(clock), [Reply(head, [b"oh ", b"no"])])
    error = outcome.error
    assert isinstance(error, ResponseRejected)
    assert (error.status, error.headers, error.body) == (status, headers, b"oh no")
    assert outcome.opened == []
    assert outcome.items == []
    assert outcome.closes == 1


def test_stream_rejected_body_is_bounded() -> None:
    """At most max_error_body bytes of a rejected body are read and kept."""
    clock = FakeClock()
    body: list[Chunk] = [b"0123456789"] * 100
    head = Head(500, "Error", (("content-type", "text/plain"),))
    outcome = drive(clock, stream(clock, max_error_body=25), [Reply(head, body)])
    error = outcome.error
    assert isinstance(error, ResponseRejected)
    assert error.body == (b"0123456789" * 3)[:25]
    reads = sum(isinstance(op, ReadBody) for op in outcome.ops)
    assert reads == 3, "the flow stops reading once it has max_error_body bytes"


def test_stream_rejected_read_timeout() -> None:
    """A rejected body that stalls raises ReadTimeout, not ResponseRejected."""
    clock = FakeClock()
    head = Head(500, "Error", ())
    outcome = drive(clock, stream(clock, timeouts=Timeouts(read=5)), [Reply(head, [None])])
    assert isinstance(outcome.error, ReadTimeout)


def test_redirect_without_location_is_the_response() -> None:
    """A 3xx without Location is not followed: the stream is rejected."""
    clock = FakeClock()
    head = Head(302, "Found", ())
    outcome = drive(clock, stream(clock), [Reply(head)])
    assert isinstance(outcome.error, ResponseRejected)
    assert len(outcome.requests) == 1


# -- redirects ---------------------------------------------------------------------


POST_HEADERS = (
    ("Content-Type", "application/json"),
    ("Content-Length", "2"),
    ("Content-Encoding", "identity"),
    ("X-Custom", "kept"),
)


def _post(clock: FakeClock, method: str = "POST") -> Flow:
    return stream_flow(
        method, URL, headers=POST_HEADERS, body=b"{}", timeouts=NO_LIMITS, clock=clock
    )


@pytest.mark.parametrize(
    ("status", "method", "expected"),
    [
        (301, "POST", "GET"),
        (302, "POST", "GET"),
        (303, "POST", "GET"),
        (303, "PUT", "GET"),
        (303, "GET", "GET"),
    ],
)
def test_redirect_turns_into_get(status: int, method: str, expected: str) -> None:
    """303, and 301/302 after POST, repeat the request as a GET without body or body headers."""
    clock = FakeClock()
    replies = [Reply(moved(status, "/next")), Reply(ok(), [b"data: x\n\n"])]
    outcome = drive(clock, _post(clock, method), replies)
    assert outcome.error is None
    first, second = outcome.requests
    assert (first.method, first.body) == (method, b"{}")
    assert (second.method, second.body) == (expected, None)
    for name in ("Content-Type", "Content-Length", "Content-Encoding"):
        assert header(second, name) == []
    assert header(second, "X-Custom") == ["kept"]
    assert outcome.opened[0].head.url == "http://example.test/next"


def test_redirect_303_keeps_head() -> None:
    """A HEAD request stays HEAD after a 303."""
    clock = FakeClock()
    replies = [Reply(moved(303, "/next")), Reply(Head(200, "OK", ()))]
    gen = request_flow("HEAD", URL, timeouts=NO_LIMITS, clock=clock)
    outcome = drive(clock, gen, replies)
    assert [request.method for request in outcome.requests] == ["HEAD", "HEAD"]


@pytest.mark.parametrize(
    ("status", "method"), [(307, "POST"), (308, "POST"), (301, "PUT"), (302, "PATCH")]
)
def test_redirect_keeps_method_and_body(status: int, method: str) -> None:
    """307 and 308 (and 301/302 for methods other than POST) repeat the request as it was."""
    clock = FakeClock()
    replies = [Reply(moved(status, "/next")), Reply(ok())]
    outcome = drive(clock, _post(clock, method), replies)
    first, second = outcome.requests
    assert (second.method, second.body) == (method, b"{}")
    assert second.headers == first.headers
    assert second.url == "http://example.test/next"


CREDENTIALS = (
    ("Authorization", "Bearer secret"),
    ("Cookie", "session=1"),
    ("Proxy-Authorization", "Basic eA=="),
    ("X-Other", "kept"),
)


@pytest.mark.parametrize(
    ("location", "dropped"),
    [
        ("/same", False),
        ("http://example.test/abs", False),
        ("http://EXAMPLE.test/case", False),
        ("http://other.test/", True),
        ("https://example.test/", True),
        ("http://example.test:8080/", True),
    ],
)
def test_redirect_credentials(location: str, dropped: bool) -> None:
    """Authorization, Cookie and Proxy-Authorization are dropped on a cross-origin redirect."""
    clock = FakeClock()
    gen = stream_flow("GET", URL, headers=CREDENTIALS, timeouts=NO_LIMITS, clock=clock)
    outcome = drive(clock, gen, [Reply(moved(302, location)), Reply(ok())])
    second = outcome.requests[1]
    for name in ("Authorization", "Cookie", "Proxy-Authorization"):
        assert (header(second, name) == []) is dropped
    assert header(second, "X-Other") == ["kept"]


def test_credentials_stay_dropped_after_returning() -> None:
    """Credentials dropped for another origin are not restored by a redirect back."""
    clock = FakeClock()
    gen = stream_flow("GET", URL, headers=CREDENTIALS, timeouts=NO_LIMITS, clock=clock)
    replies = [Reply(moved(302, "http://other.test/")), Reply(moved(302, URL)), Reply(ok())]
    outcome = drive(clock, gen, replies)
    assert header(outcome.requests[2], "Authorization") == []


@pytest.mark.parametrize(
    ("location", "resolved"),
    [
        ("/b", "http://example.test/b"),
        ("c", "http://example.test/a/c"),
        ("../d?q=1", "http://example.test/d?q=1"),
        ("//other.test/e", "http://other.test/e"),
        ("?x=y", "http://example.test/a/b?x=y"),
        ("/f#fragment", "http://example.test/f"),
    ],
)
def test_redirect_relative_location(location: str, resolved: str) -> None:
    """A relative Location is resolved against the URL that answered; fragments are dropped."""
    clock = FakeClock()
    url = "http://example.test/a/b"
    outcome = drive(clock, stream(clock, url=url), [Reply(moved(301, location)), Reply(ok())])
    assert outcome.requests[1].url == resolved
    assert outcome.opened[0].head.url == resolved


def test_redirect_chain_resolves_against_the_last_url() -> None:
    """Each Location is resolved against the URL of the response that carried it."""
    clock = FakeClock()
    replies = [
        Reply(moved(302, "http://other.test/x/y")),
        Reply(moved(302, "z")),
        Reply(ok()),
    ]
    outcome = drive(clock, stream(clock), replies)
    assert [request.url for request in outcome.requests] == [
        URL,
        "http://other.test/x/y",
        "http://other.test/x/z",
    ]


def test_redirect_releases_each_response() -> None:
    """Every redirect response is released before the next request."""
    clock = FakeClock()
    replies = [Reply(moved(302, "/a")), Reply(moved(302, "/b")), Reply(ok())]
    outcome = drive(clock, stream(clock), replies)
    kinds = [type(op) for op in outcome.ops[:5]]
    assert kinds == [SendRequest, CloseResponse, SendRequest, CloseResponse, SendRequest]


@pytest.mark.parametrize("max_redirects", [0, 1, 3])
def test_redirect_loop(max_redirects: int) -> None:
    """More than max_redirects redirects raise TooManyRedirects listing the URLs."""
    clock = FakeClock()
    replies = [Reply(moved(302, f"/hop{i}")) for i in range(10)]
    gen = stream(clock, max_redirects=max_redirects)
    outcome = drive(clock, gen, replies)
    error = outcome.error
    assert isinstance(error, TooManyRedirects)
    assert len(outcome.requests) == max_redirects + 1
    assert error.urls == tuple(request.url for request in outcome.requests)
    assert error.urls[0] == URL
    assert outcome.closes == max_redirects + 1


def test_redirect_to_self_loop() -> None:
    """A redirect to the same URL forever ends with TooManyRedirects."""
    clock = FakeClock()
    replies = [Reply(moved(307, URL)) for _ in range(20)]
    outcome = drive(clock, stream(clock), replies)
    assert isinstance(outcome.error, TooManyRedirects)


@pytest.mark.parametrize(
    "location", ["ftp://example.test/x", "file:///etc/passwd", "javascript:alert(1)", "data:,x"]
)
def test_redirect_non_http_refused(location: str) -> None:
    """A redirect to a scheme other than http(s) raises InvalidRedirect without a request."""
    clock = FakeClock()
    outcome = drive(clock, stream(clock), [Reply(moved(302, location)), Reply(ok())])
    error = outcome.error
    assert isinstance(error, InvalidRedirect)
    assert error.urls == (URL,)
    assert len(outcome.requests) == 1


# -- time limits --------------------------------------------------------------------


def test_send_request_carries_the_limits() -> None:
    """SendRequest carries the connect and read limits."""
    clock = FakeClock()
    timeouts = Timeouts(connect=3, read=7)
    outcome = drive(clock, stream(clock, timeouts=timeouts), [Reply(ok())])
    request = outcome.requests[0]
    assert (request.connect_timeout, request.timeout) == (3, 7)


def test_connect_timed_out() -> None:
    """TimedOut(connecting=True) raises ConnectTimeout with the connect limit."""
    clock = FakeClock()
    timeouts = Timeouts(connect=3, read=7)
    reply = Reply(After(3, TimedOut(connecting=True)))
    outcome = drive(clock, stream(clock, timeouts=timeouts), [reply])
    error = outcome.error
    assert isinstance(error, ConnectTimeout)
    assert isinstance(error, TimeoutError)
    assert error.limit == 3


def test_head_timed_out() -> None:
    """TimedOut(connecting=False) raises ReadTimeout with the read limit."""
    clock = FakeClock()
    timeouts = Timeouts(connect=3, read=7)
    reply = Reply(After(7, TimedOut(connecting=False)))
    outcome = drive(clock, stream(clock, timeouts=timeouts), [reply])
    error = outcome.error
    assert isinstance(error, ReadTimeout)
    assert error.limit == 7


def test_connect_cut_by_total() -> None:
    """A connect wait cut short by the total limit raises TotalTimeout."""
    timeouts = Timeouts(connect=10, read=10, total=4)
    clock = FakeClock()
    outcome = drive(
        clock, stream(clock, timeouts=timeouts), [Reply(After(4, TimedOut(connecting=True)))]
    )
    assert outcome.requests[0].connect_timeout == 4
    assert isinstance(outcome.error, TotalTimeout)
    assert outcome.error.limit == 4


def test_body_read_timeout() -> None:
    """A body read that times out raises ReadTimeout after the items before it."""
    clock = FakeClock()
    timeouts = Timeouts(read=5)
    body: list[Chunk] = [b"data: a\n\n", After(5, None)]
    outcome = drive(clock, stream(clock, timeouts=timeouts), [Reply(ok(), body)])
    assert outcome.items == [Event("message", "a")]
    assert isinstance(outcome.error, ReadTimeout)
    reads = [op for op in outcome.ops if isinstance(op, ReadBody)]
    assert [read.timeout for read in reads] == [5, 5]


def _read_timeouts(outcome: Outcome) -> list[float | None]:
    return [op.timeout for op in outcome.ops if isinstance(op, ReadBody)]


def test_keepalives_do_not_reset_the_event_limit() -> None:
    """Comments shorten the next wait; the event limit then raises EventTimeout."""
    clock = FakeClock()
    timeouts = Timeouts(read=100, event=10)
    body: list[Chunk] = [After(3, b": keepalive\n\n"), After(4, b": keepalive\n\n"), After(3, None)]
    outcome = drive(clock, stream(clock, timeouts=timeouts), [Reply(ok(), body)])
    assert _read_timeouts(outcome) == [10, 7, 3]
    error = outcome.error
    assert isinstance(error, EventTimeout)
    assert error.limit == 10


def test_keepalives_do_not_reset_the_event_limit_with_comments() -> None:
    """With comments=True, comment items are emitted but do not reset the event limit."""
    clock = FakeClock()
    timeouts = Timeouts(read=100, event=10)
    body: list[Chunk] = [After(6, b": ping\n\n"), After(4, None)]
    gen = stream(clock, timeouts=timeouts, comments=True)
    outcome = drive(clock, gen, [Reply(ok(), body)])
    assert outcome.items == [Comment("ping")]
    assert _read_timeouts(outcome) == [10, 4]
    assert isinstance(outcome.error, EventTimeout)


def test_events_reset_the_event_limit() -> None:
    """An event starts the event limit over."""
    clock = FakeClock()
    timeouts = Timeouts(read=100, event=10)
    body: list[Chunk] = [
        After(6, b"data: a\n\n"),
        After(6, b"data: b\n\n"),
        After(2, b"data: partial"),
        After(8, None),
    ]
    outcome = drive(clock, stream(clock, timeouts=timeouts), [Reply(ok(), body)])
    assert outcome.items == [Event("message", "a"), Event("message", "b")]
    assert _read_timeouts(outcome) == [10, 10, 10, 8]
    assert isinstance(outcome.error, EventTimeout)


def test_read_limit_shorter_than_event_limit() -> None:
    """When the read limit is nearer than the event limit, ReadTimeout is raised."""
    clock = FakeClock()
    timeouts = Timeouts(read=2, event=10)
    body: list[Chunk] = [After(1, b": ka\n\n"), After(2, None)]
    outcome = drive(clock, stream(clock, timeouts=timeouts), [Reply(ok(), body)])
    assert _read_timeouts(outcome) == [2, 2]
    assert isinstance(outcome.error, ReadTimeout)


def test_total_limit_cuts_reads() -> None:
    """The total limit counts from the request; the nearest limit is blamed."""
    timeouts = Timeouts(read=100, event=50, total=20)
    body: list[Chunk] = [After(15, b"data: a\n\n"), After(5, None)]
    clock = FakeClock()
    reply = Reply(After(2, ok()), body)
    outcome = drive(clock, stream(clock, timeouts=timeouts), [reply])
    assert _read_timeouts(outcome) == [18, 3]
    error = outcome.error
    assert isinstance(error, TotalTimeout)
    assert error.limit == 20


def test_total_limit_passed_before_a_read() -> None:
    """A total limit already passed raises TotalTimeout without another read."""
    clock = FakeClock()
    timeouts = Timeouts(read=100, total=10)
    body: list[Chunk] = [After(12, b"data: a\n\n"), b"data: b\n\n"]
    outcome = drive(clock, stream(clock, timeouts=timeouts), [Reply(ok(), body)])
    assert outcome.items == [Event("message", "a")]
    assert isinstance(outcome.error, TotalTimeout)
    assert len(_read_timeouts(outcome)) == 1


def test_total_limit_spans_redirects() -> None:
    """Redirects count against the total limit."""
    clock = FakeClock()
    timeouts = Timeouts(connect=30, read=30, total=10)
    replies = [Reply(After(4, moved(302, "/a"))), Reply(After(4, moved(302, "/b"))), Reply(ok())]
    outcome = drive(clock, stream(clock, timeouts=timeouts), replies)
    assert [request.timeout for request in outcome.requests] == [10, 6, 2]


@pytest.mark.parametrize(
    ("timeouts", "connecting", "kind"),
    [
        (Timeouts(connect=1, read=2), True, ConnectTimeout),
        (Timeouts(connect=1, read=2), False, ReadTimeout),
        (Timeouts(connect=5, read=5, total=1), True, TotalTimeout),
        (Timeouts(connect=5, read=5, total=1), False, TotalTimeout),
    ],
)
def test_request_flow_timeouts(timeouts: Timeouts, connecting: bool, kind: type[Timeout]) -> None:
    """request() names the limit that passed the same way."""
    clock = FakeClock()
    gen = request_flow("GET", URL, timeouts=timeouts, clock=clock)
    outcome = drive(clock, gen, [Reply(After(1, TimedOut(connecting=connecting)))])
    assert type(outcome.error) is kind


# -- request_flow -----------------------------------------------------------------------


def test_request_returns_the_whole_response() -> None:
    """request() returns status, headers, the joined body and the final URL, any status."""
    clock = FakeClock()
    head = Head(404, "Not Found", (("content-type", "application/json"),), "HTTP/1.0")
    replies = [Reply(moved(301, "/final")), Reply(head, [b'{"a"', b": 1}"])]
    outcome = drive(clock, request_flow("GET", URL, timeouts=NO_LIMITS, clock=clock), replies)
    assert outcome.result == Response(
        404,
        "Not Found",
        (("content-type", "application/json"),),
        b'{"a": 1}',
        "http://example.test/final",
        "HTTP/1.0",
    )
    assert isinstance(outcome.ops[-1], CloseResponse)


def test_request_body_at_the_limit() -> None:
    """A body of exactly max_body_size bytes is returned."""
    clock = FakeClock()
    gen = request_flow("GET", URL, timeouts=NO_LIMITS, clock=clock, max_body_size=10)
    outcome = drive(clock, gen, [Reply(Head(200, "OK", ()), [b"01234", b"56789"])])
    assert isinstance(outcome.result, Response)
    assert outcome.result.body == b"0123456789"


def test_request_body_too_large() -> None:
    """A body past max_body_size raises BodyTooLarge naming the limit."""
    clock = FakeClock()
    gen = request_flow("GET", URL, timeouts=NO_LIMITS, clock=clock, max_body_size=10)
    outcome = drive(clock, gen, [Reply(Head(200, "OK", ()), [b"01234", b"56789", b"!", b"more"])])
    error = outcome.error
    assert isinstance(error, BodyTooLarge)
    assert (error.limit, error.value) == ("max_body_size", 10)
    assert sum(isinstance(op, ReadBody) for op in outcome.ops) == 3


def test_request_default_headers() -> None:
    """request() adds Accept-Encoding and User-Agent; stream() adds Accept too."""
    clock = FakeClock()
    gen = request_flow("GET", URL, timeouts=NO_LIMITS, clock=clock)
    outcome = drive(clock, gen, [Reply(Head(200, "OK", ()))])
    assert outcome.requests[0].headers == (
        ("Accept-Encoding", accept_encoding()),
        ("User-Agent", USER_AGENT),
    )
    outcome = drive(clock, stream(clock), [Reply(ok())])
    assert outcome.requests[0].headers == (
        ("Accept", "text/event-stream"),
        ("Accept-Encoding", "identity"),
        ("User-Agent", USER_AGENT),
    )


def test_given_headers_are_not_replaced() -> None:
    """A caller's Accept, Accept-Encoding or User-Agent (any case) replaces the default."""
    clock = FakeClock()
    headers = [("accept", "application/json"), ("accept-encoding", "br"), ("USER-AGENT", "mine/1")]
    gen = stream_flow("GET", URL, headers=headers, timeouts=NO_LIMITS, clock=clock)
    outcome = drive(clock, gen, [Reply(ok())])
    assert outcome.requests[0].headers == tuple(headers)


def test_bad_header_refused() -> None:
    """A header that is not a (str, str) pair raises TypeError before any request."""
    clock = FakeClock()
    bad: Any = [("X-Number", 1)]
    gen = stream_flow("GET", URL, headers=bad, timeouts=NO_LIMITS, clock=clock)
    outcome = drive(clock, gen, [])
    assert isinstance(outcome.error, TypeError)
    assert outcome.requests == []


# -- subscribe_flow --------------------------------------------------------------------


def test_subscribe_reconnects_with_last_event_id() -> None:
    """After the body ends, the subscription waits the default delay and resumes."""
    clock = FakeClock()
    replies = [Reply(ok(), [b"id: 1\ndata: a\n\n"]), Reply(ok(), [b"data: b\n\n"])]
    outcome = drive(clock, subscribe(clock), replies)
    assert outcome.stopped
    assert outcome.events() == [Event("message", "a", "1"), Event("message", "b", "1")]
    assert outcome.sleeps == [3.0, 3.0]
    first, second, _third = outcome.requests
    assert header(first, "Last-Event-ID") == []
    assert header(second, "Last-Event-ID") == ["1"]
    assert header(second, "Accept") == ["text/event-stream"]
    assert header(second, "Cache-Control") == ["no-cache"]
    assert header(second, "User-Agent") == [USER_AGENT]
    assert all(request.method == "GET" and request.body is None for request in outcome.requests)
    assert len(outcome.opened) == 2


def test_subscribe_starts_from_last_event_id() -> None:
    """last_event_id is sent on the first request; a caller's User-Agent replaces the default."""
    clock = FakeClock()
    gen = subscribe(clock, last_event_id="41", headers=[("user-agent", "me/2")])
    outcome = drive(clock, gen, [])
    request = outcome.requests[0]
    assert header(request, "Last-Event-ID") == ["41"]
    assert header(request, "User-Agent") == ["me/2"]


def test_subscribe_retry_sets_the_sleep() -> None:
    """The server's retry field sets the wait before the next connection."""
    clock = FakeClock()
    replies = [Reply(ok(), [b"retry: 1500\ndata: a\n\n"]), Reply(ok(), [b"retry: 200\n"])]
    outcome = drive(clock, subscribe(clock), replies)
    assert outcome.sleeps == [1.5, 0.2]


def test_subscribe_discards_an_unterminated_event() -> None:
    """An event cut off by the end of a connection is dropped, its id not committed."""
    clock = FakeClock()
    replies = [Reply(ok(), [b"id: 1\ndata: a\n\nid: 2\ndata: b"])]
    outcome = drive(clock, subscribe(clock), replies)
    assert outcome.events() == [Event("message", "a", "1")]
    assert header(outcome.requests[1], "Last-Event-ID") == ["1"]


@pytest.mark.parametrize(
    ("reply", "resume_from"),
    [
        (Reply(ok(), [b"id: 5\ndata: a\n\n", ReadError("reset")]), "5"),
        (Reply(ok(), [b"id: 5\ndata: a\n\n", IncompleteBody("cut")]), "5"),
        (Reply(ok(), [b"id: 5\ndata: a\n\n", None]), "5"),
        (Reply(TimedOut(connecting=True)), "4"),
        (Reply(TimedOut(connecting=False)), "4"),
        (Reply(ReadError("refused")), "4"),
    ],
    ids=[
        "read-error",
        "incomplete-body",
        "read-timeout",
        "connect-timeout",
        "head-timeout",
        "send-error",
    ],
)
def test_subscribe_reconnects_after_a_failure(reply: Reply, resume_from: str) -> None:
    """Transport errors, HTTP errors and timeouts end the connection; the next resumes."""
    clock = FakeClock()
    gen = subscribe(clock, timeouts=Timeouts(connect=5, read=5), last_event_id="4")
    outcome = drive(clock, gen, [reply, Reply(ok(), [b"data: z\n\n"])])
    assert outcome.error is None
    assert outcome.stopped
    assert outcome.events()[-1] == Event("message", "z", resume_from)
    assert header(outcome.requests[1], "Last-Event-ID") == [resume_from]
    assert outcome.sleeps[0] == 3.0


def test_subscribe_releases_a_broken_response() -> None:
    """A connection that broke mid-body is released before the wait."""
    clock = FakeClock()
    replies = [Reply(ok(), [ReadError("reset")])]
    outcome = drive(clock, subscribe(clock), replies)
    kinds = [type(op) for op in outcome.ops]
    assert kinds[:5] == [SendRequest, Opened, ReadBody, CloseResponse, Wait]


def test_subscribe_event_timeout_reconnects() -> None:
    """Keepalives without events let the event limit end the connection, then it reconnects."""
    clock = FakeClock()
    timeouts = Timeouts(read=100, event=10)
    body: list[Chunk] = [After(6, b": ka\n\n"), After(4, None)]
    outcome = drive(clock, subscribe(clock, timeouts=timeouts), [Reply(ok(), body)])
    assert [op.timeout for op in outcome.ops if isinstance(op, ReadBody)] == [10, 4]
    assert outcome.sleeps == [3.0]
    assert len(outcome.requests) == 2


@pytest.mark.parametrize(
    "head",
    [Head(204, "No Content", ()), Head(500, "Error", SSE), Head(200, "OK", ())],
    ids=["204", "500", "no-type"],
)
def test_subscribe_rejected_ends_it(head: Head) -> None:
    """A response that cannot be a stream raises ResponseRejected; no reconnection."""
    clock = FakeClock()
    outcome = drive(clock, subscribe(clock), [Reply(head, [b"bye"]), Reply(ok())])
    error = outcome.error
    assert isinstance(error, ResponseRejected)
    assert (error.status, error.body) == (head.status, b"bye")
    assert len(outcome.requests) == 1
    assert outcome.opened == []
    assert outcome.sleeps == []


def test_subscribe_rejected_after_a_redirect() -> None:
    """Redirects are followed; the response they lead to is judged."""
    clock = FakeClock()
    replies = [Reply(moved(307, "/moved")), Reply(Head(204, "No Content", ()))]
    outcome = drive(clock, subscribe(clock), replies)
    assert isinstance(outcome.error, ResponseRejected)
    assert [request.url for request in outcome.requests] == [URL, "http://example.test/moved"]


def test_subscribe_redirect_loop_ends_it() -> None:
    """TooManyRedirects ends a subscription; it is not retried."""
    clock = FakeClock()
    replies = [Reply(moved(302, URL)) for _ in range(30)]
    outcome = drive(clock, subscribe(clock, max_redirects=2), replies)
    assert isinstance(outcome.error, TooManyRedirects)
    assert len(outcome.requests) == 3


def test_subscribe_gives_up() -> None:
    """A policy with max_attempts raises ReconnectGaveUp, caused by the last error."""
    clock = FakeClock()
    policy = ReconnectPolicy(retry_delay=0.5, multiplier=2, max_attempts=3)
    errors = [ReadError(f"refused {i}") for i in range(10)]
    replies = [Reply(error) for error in errors]
    outcome = drive(clock, subscribe(clock, policy=policy), replies)
    error = outcome.error
    assert isinstance(error, ReconnectGaveUp)
    assert (error.limit, error.attempts) == ("max_attempts", 3)
    assert error.__cause__ is errors[3]
    assert outcome.sleeps == [0.5, 1.0, 2.0]
    assert len(outcome.requests) == 4


def test_subscribe_gives_up_on_elapsed_time() -> None:
    """max_elapsed counts the fake clock's time across waits."""
    clock = FakeClock()
    policy = ReconnectPolicy(retry_delay=4, max_elapsed=10)
    replies = [Reply(ReadError("refused")) for _ in range(10)]
    outcome = drive(clock, subscribe(clock, policy=policy), replies)
    error = outcome.error
    assert isinstance(error, ReconnectGaveUp)
    assert error.limit == "max_elapsed"
    assert outcome.sleeps == [4, 4]


def test_subscribe_healthy_connection_resets_attempts() -> None:
    """A connection that delivered an event starts the count of attempts over."""
    clock = FakeClock()
    policy = ReconnectPolicy(retry_delay=1, max_attempts=1)
    failing = [Reply(ReadError("refused")), Reply(ReadError("refused"))]
    outcome = drive(clock, subscribe(clock, policy=policy), failing)
    assert isinstance(outcome.error, ReconnectGaveUp)
    assert len(outcome.requests) == 2
    clock = FakeClock()
    healthy = [failing[0], Reply(ok(), [b"data: a\n\n"]), *failing]
    outcome = drive(clock, subscribe(clock, policy=policy), healthy)
    assert isinstance(outcome.error, ReconnectGaveUp)
    assert outcome.events() == [Event("message", "a")]
    assert len(outcome.requests) == 3
    assert outcome.sleeps == [1, 1]


def test_subscribe_limit_error_fails_for_good() -> None:
    """A stream that breaks a parser limit raises it, after earlier items; no reconnection."""
    clock = FakeClock()
    body: list[Chunk] = [b"data: a\n\ndata: " + b"x" * 100 + b"\n\n"]
    outcome = drive(clock, subscribe(clock, max_line_size=32), [Reply(ok(), body), Reply(ok())])
    assert outcome.events() == [Event("message", "a")]
    assert isinstance(outcome.error, LineTooLong)
    assert len(outcome.requests) == 1
    assert outcome.closes == 1


def test_subscribe_local_error_propagates() -> None:
    """A LocalProtocolError thrown into a request (a bad URL) is not retried."""
    clock = FakeClock()
    outcome = drive(clock, subscribe(clock), [Reply(LocalProtocolError("bad URL"))])
    assert isinstance(outcome.error, LocalProtocolError)
    assert len(outcome.requests) == 1


# -- closing at any point --------------------------------------------------------------


def _scenario(kind: int, clock: FakeClock) -> tuple[Flow, list[Reply]]:
    """A flow and a script that visits every kind of yield point."""
    body: list[Chunk] = [b"id: 1\ndata: a\n\n", b": ka\n\n", b"data: b\n\n"]
    redirect = Reply(moved(302, "/b"))
    if kind == 0:
        return stream(clock, comments=True), [redirect, Reply(ok(), body)]
    if kind == 1:
        return stream(clock), [Reply(Head(500, "Error", ()), [b"x", b"y"])]
    if kind == 2:
        gen = request_flow("POST", URL, body=b"{}", timeouts=NO_LIMITS, clock=clock)
        return gen, [redirect, Reply(Head(200, "OK", ()), [b"a", b"b"])]
    replies = [
        redirect,
        Reply(ok(), body),
        Reply(ReadError("refused")),
        Reply(ok(), [b"data: c\n\n", ReadError("reset")]),
        Reply(Head(204, "No Content", ())),
    ]
    return subscribe(clock), replies


@given(st.integers(0, 3), st.integers(0, 40))
def test_close_at_any_yield_point(kind: int, steps: int) -> None:
    """gen.close() at any yield point ends the flow without yielding again."""
    clock = FakeClock()
    gen, replies = _scenario(kind, clock)
    runner = ScriptRunner(replies, clock)
    outcome = Outcome()
    value: object = None
    error: BaseException | None = None
    for _ in range(steps):
        try:
            op = gen.send(value) if error is None else gen.throw(error)
        except (StopIteration, Exception):
            return
        value, error = runner._perform(op, outcome)
        if outcome.stopped:
            break
    gen.close()  # RuntimeError here if the flow yielded while closing
    assert inspect.getgeneratorstate(gen) == inspect.GEN_CLOSED
    with pytest.raises(StopIteration):
        next(gen)


@given(st.integers(0, 3), st.integers(1, 40))
def test_throw_at_any_yield_point(kind: int, steps: int) -> None:
    """An exception thrown in at any yield point propagates and ends the flow."""
    clock = FakeClock()
    gen, replies = _scenario(kind, clock)
    runner = ScriptRunner(replies, clock)
    outcome = Outcome()
    value: object = None
    error: BaseException | None = None
    for _ in range(steps):
        try:
            op = gen.send(value) if error is None else gen.throw(error)
        except (StopIteration, Exception):
            return
        value, error = runner._perform(op, outcome)
        if outcome.stopped:
            gen.close()
            return
    boom = KeyboardInterrupt()
    with pytest.raises(KeyboardInterrupt):
        gen.throw(boom)
    assert inspect.getgeneratorstate(gen) == inspect.GEN_CLOSED


# -- hostile responses and bad requests -----------------------------------------------


@pytest.mark.parametrize(
    "location",
    [
        "http://[::1:bad/",
        "",
        "/a b",
        "/a\tb",
        "/caf\u00e9",
        "http://user:s3cret@example.test/",
        "/" + "x" * MAX_LOCATION_SIZE,
    ],
)
def test_redirect_unusable_location_is_invalid(location: str) -> None:
    """A Location that is not a usable URL raises InvalidRedirect, redacted, without a request."""
    clock = FakeClock()
    outcome = drive(clock, stream(clock), [Reply(moved(302, location)), Reply(ok())])
    error = outcome.error
    assert isinstance(error, InvalidRedirect)
    assert error.urls == (URL,)
    assert error.location == location.strip()
    assert "s3cret" not in str(error)
    assert len(str(error)) < 600
    assert len(outcome.requests) == 1


def test_redirect_https_to_http_refused() -> None:
    """A redirect from https to http raises InsecureRedirect naming both URLs without queries."""
    clock = FakeClock()
    gen = stream(clock, url="https://example.test/events?key=s3cret")
    outcome = drive(
        clock, gen, [Reply(moved(307, "http://example.test/x?key=s3cret")), Reply(ok())]
    )
    error = outcome.error
    assert isinstance(error, InsecureRedirect)
    assert "https://example.test/events?..." in str(error)
    assert "http://example.test/x?..." in str(error)
    assert "s3cret" not in str(error)
    assert len(outcome.requests) == 1


def test_redirect_to_https_followed() -> None:
    """Redirects from http to https, and between https URLs, are followed."""
    clock = FakeClock()
    replies = [
        Reply(moved(302, "https://example.test/a")),
        Reply(moved(302, "https://other.test/b")),
        Reply(ok()),
    ]
    outcome = drive(clock, stream(clock), replies)
    assert outcome.error is None
    assert outcome.opened[0].head.url == "https://other.test/b"


def test_invalid_redirect_from_the_runner_keeps_the_chain() -> None:
    """InvalidRedirect thrown by a runtime that parses Location itself lists every URL."""
    clock = FakeClock()
    thrown = InvalidRedirect("unparsable", urls=("x",))
    outcome = drive(clock, stream(clock), [Reply(moved(302, "/a")), Reply(thrown)])
    error = outcome.error
    assert isinstance(error, InvalidRedirect)
    assert error.urls == (URL, "http://example.test/a")
    assert error.__cause__ is thrown


@pytest.mark.parametrize("coding", ["compress", "xz, identity", "GZIP, COMPRESS"])
def test_stream_content_coding_refused(coding: str) -> None:
    """An event stream with a Content-Encoding the client cannot decode raises
    UnexpectedContentEncoding before it opens."""
    clock = FakeClock()
    outcome = drive(
        clock, stream(clock), [Reply(ok(("content-encoding", coding)), [b"data: x\n\n"])]
    )
    error = outcome.error
    assert isinstance(error, UnexpectedContentEncoding)
    assert error.coding == coding.lower().replace(", identity", "")
    assert "cannot decode" in str(error)
    assert outcome.opened == []
    assert outcome.items == []


def test_stream_identity_coding_accepted() -> None:
    """Content-Encoding: identity is no coding at all."""
    clock = FakeClock()
    reply = Reply(ok(("content-encoding", "identity")), [b"data: x\n\n"])
    outcome = drive(clock, stream(clock), [reply])
    assert outcome.events() == [Event("message", "x", "")]


def test_request_content_coding_as_asked() -> None:
    """request() refuses a coding it cannot decode and did not ask for, and
    returns one it asked for undecoded."""
    clock = FakeClock()
    head = Head(200, "OK", (("content-encoding", "compress"),))
    outcome = drive(clock, request_flow("GET", URL, timeouts=NO_LIMITS, clock=clock), [Reply(head)])
    assert isinstance(outcome.error, UnexpectedContentEncoding)
    gen = request_flow(
        "GET", URL, headers=[("Accept-Encoding", "compress")], timeouts=NO_LIMITS, clock=clock
    )
    outcome = drive(clock, gen, [Reply(head, [b"\x1f\x8b raw"])])
    response = outcome.result
    assert isinstance(response, Response)
    assert response.body == b"\x1f\x8b raw"


def test_subscribe_content_coding_ends_it() -> None:
    """UnexpectedContentEncoding ends a subscription; it is not retried."""
    clock = FakeClock()
    replies = [Reply(ok(("content-encoding", "compress"))) for _ in range(3)]
    outcome = drive(clock, subscribe(clock), replies)
    assert isinstance(outcome.error, UnexpectedContentEncoding)
    assert len(outcome.requests) == 1


@pytest.mark.parametrize(
    ("url", "headers"),
    [
        ("http://[::1:bad/", ()),
        ("http://user:pw@example.test/", ()),
        ("example.test/events", ()),
        (URL, (("X-Bad", "a\r\nb"),)),
        (URL, (("Bad Name", "v"),)),
    ],
)
def test_bad_request_refused_before_any_operation(
    url: str, headers: tuple[tuple[str, str], ...]
) -> None:
    """A URL or header that cannot be sent raises LocalProtocolError before any request."""
    clock = FakeClock()
    for gen in (
        stream_flow("GET", url, headers=headers, timeouts=NO_LIMITS, clock=clock),
        request_flow("GET", url, headers=headers, timeouts=NO_LIMITS, clock=clock),
        subscribe_flow(url, headers=headers, timeouts=NO_LIMITS, clock=clock),
    ):
        outcome = drive(clock, gen, [Reply(ok())])
        assert isinstance(outcome.error, LocalProtocolError)
        assert outcome.requests == []


# -- deadlines under dripped bytes ------------------------------------------------

#: Byte streams that never make progress: a head that never ends, endless
#: 100 Continue, and a chunk-size line whose extension never ends.
DRIPS: dict[str, tuple[bytes, bytes]] = {
    "head": (b"HTTP/1.1 200 OK\r\nX-Drip: ", b"a"),
    "1xx": (b"", b"HTTP/1.1 100 Continue\r\n\r\n"),
    "framing": (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n1;e=",
        b"x",
    ),
}


class DripNet:
    """Performs the connection operations of HTTP11Connections over one connection that
    delivers ``prefix`` whole after ``first_gap``, then ``repeat`` forever in
    pieces of the given sizes, each after its gap on the fake clock. A
    receive whose wait is shorter than the gap times out after its wait."""

    def __init__(
        self,
        clock: FakeClock,
        drip: tuple[bytes, bytes],
        first_gap: float,
        sizes: list[int],
        gaps: list[float],
    ) -> None:
        self.clock = clock
        self.prefix, self.repeat = drip
        self.first_gap = first_gap
        self.sizes, self.gaps = sizes, gaps
        self.reads = 0
        self.pending = b""
        self.upcoming: tuple[float, bytes] | None = None

    def next(self) -> tuple[float, bytes]:
        """The next piece and the gap before it."""
        if self.prefix:
            piece, self.prefix = self.prefix, b""
            return self.first_gap, piece
        size = self.sizes[self.reads % len(self.sizes)]
        gap = self.gaps[self.reads % len(self.gaps)]
        while len(self.pending) < size:
            self.pending += self.repeat
        piece, self.pending = self.pending[:size], self.pending[size:]
        self.reads += 1
        return gap, piece

    def run(self, flow: Flow) -> BaseException | None:
        """Run ``flow`` with the library's driver until it raises; return its error."""
        driver = _DripDriver(self, flow, HTTP11Connections(ConnectionPool(), self.clock))
        try:
            while driver.step() is not None:
                pass
        except Exception as exc:
            return exc
        raise AssertionError("the flow ended without an error")

    def perform(self, op: object) -> object:
        if isinstance(op, OpenConnection):
            return "conn"
        if isinstance(op, SendBytes):
            return True
        if isinstance(op, ReceiveBytes):
            upcoming = self.upcoming or self.next()
            gap, piece = upcoming
            if op.timeout is not None and gap >= op.timeout:
                # The wait ends first; the piece is still on its way.
                self.clock.advance(op.timeout)
                self.upcoming = (gap - op.timeout, piece)
                return None
            self.clock.advance(gap)
            self.upcoming = None
            return piece
        return None


class _DripDriver(SyncDriver):
    """The library's driver over a :class:`DripNet`, bounded in operations."""

    def __init__(self, net: DripNet, flow: Flow, connections: HTTP11Connections) -> None:
        super().__init__(flow, connections, net.clock.advance)
        self.net = net
        self.ops = 0

    def perform(self, op: Any) -> Any:
        self.ops += 1
        if self.ops > 100_000:
            raise AssertionError("the flow never ended")
        return self.net.perform(op)

    def discard(self, conn: Any) -> None:
        pass


@given(
    drip=st.sampled_from(sorted(DRIPS)),
    limit=st.sampled_from(["total", "event"]),
    first_gap=st.floats(0.0, 1.99),
    sizes=st.lists(st.integers(1, 9), min_size=1, max_size=12),
    gaps=st.lists(st.floats(0.05, 1.99), min_size=1, max_size=12),
)
def test_deadlines_hold_under_any_split(
    drip: str, limit: str, first_gap: float, sizes: list[int], gaps: list[float]
) -> None:
    """Bytes that make no progress, however split and paced within the read
    limit, end in the total or event timeout exactly at its deadline."""
    clock = FakeClock()
    started = clock.now
    if limit == "event" and drip != "framing":
        limit = "total"  # the event limit starts with the stream
    timeouts = (
        Timeouts(connect=None, read=2.0, total=5.0)
        if limit == "total"
        else Timeouts(connect=None, read=2.0, event=3.0, total=100.0)
    )
    net = DripNet(clock, DRIPS[drip], first_gap, sizes, gaps)
    error = net.run(stream(clock, timeouts=timeouts))
    if limit == "total":
        assert isinstance(error, TotalTimeout), error
        assert abs(clock.now - (started + 5.0)) < 1e-6
    else:
        # The stream opened when the head arrived, after the first gap.
        assert isinstance(error, EventTimeout), error
        assert abs(clock.now - (started + first_gap + 3.0)) < 1e-6


# -- stream_flow: a drain after the last wanted event ---------------------------------


def _at_first_emit(clock: FakeClock) -> Flow:
    """A stream flow waiting at its first Deliver (one event received)."""
    gen = stream(clock)
    assert isinstance(gen.send(None), SendRequest)
    assert isinstance(gen.send(ok()), Opened)
    assert isinstance(gen.send(None), ReadBody)
    assert isinstance(gen.send(b"data: [DONE]\n\n"), Deliver)
    return gen


def _finish(gen: Flow, op: object) -> object:
    """The flow's return value after ``op`` (a CloseResponse) was performed."""
    assert isinstance(op, CloseResponse)
    with pytest.raises(StopIteration) as stop:
        gen.send(None)
    return stop.value.value


def test_drain_reads_the_rest_of_the_body_unparsed() -> None:
    """Bytes after the wanted event are read and dropped until the body ends."""
    clock = FakeClock()
    gen = _at_first_emit(clock)
    op = gen.send(Drain(0.1, 100))
    assert isinstance(op, ReadBody)
    assert op.timeout == pytest.approx(0.1)
    assert op.deadline == pytest.approx(clock() + 0.1)
    op = gen.send(b"data: not json, not wanted\n\n")
    assert isinstance(op, ReadBody)
    assert isinstance(_finish(gen, gen.send(b"")), EventStreamParser)


@pytest.mark.parametrize(
    "reply",
    [None, b"x" * 101, ReadError("reset")],
    ids=["time-ran-out", "over-max-bytes", "fault"],
)
def test_drain_gives_up_within_its_bound(reply: object) -> None:
    """A silent, talkative or failing server: the drain stops and releases at once."""
    clock = FakeClock()
    gen = _at_first_emit(clock)
    assert isinstance(gen.send(Drain(0.1, 100)), ReadBody)
    op = gen.throw(reply) if isinstance(reply, BaseException) else gen.send(reply)
    _finish(gen, op)


def test_drain_stops_reading_at_its_deadline() -> None:
    """Bytes that keep coming stop being read once the drain's time is up."""
    clock = FakeClock()
    gen = _at_first_emit(clock)
    op = gen.send(Drain(0.1, 10_000))
    for _ in range(3):
        assert isinstance(op, ReadBody)
        clock.advance(0.04)
        op = gen.send(b": keepalive\n\n")
    _finish(gen, op)
