"""sseproto's server front ends against clients nobody here wrote: Chromium's
EventSource (headless), the npm ``eventsource`` package, and the project's
own subscription clients.

Each front end (ASGI under uvicorn and hypercorn, WSGI under waitress, the
built-in asyncio and trio servers; see tests/servers/frontends.py) serves
the scenarios of tests/servers/scenarios.py; each client must report exactly
the events the scenario expects, in order, and reconnect by itself with
``Last-Event-ID`` where the server drops the connection.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Final

import pytest

from sseproto import Event, EventHistory, Hub, ReconnectPolicy, ServerEvent
from sseproto.adapters.asyncio import Client as AsyncioClient
from sseproto.adapters.sync import Client as SyncClient
from sseproto.server.asyncio import AsyncHub, serve

from .servers.browser import BrowserReport, PageServer, Reports, page_query, run_chromium
from .servers.external import require_program
from .servers.frontends import CORS, FRONT_NAMES, Front, Scenario, make_front
from .servers.node import NodeRun, install_eventsource, run_node_client
from .servers.scenarios import LISTENED_TYPES, RETRY_MS, Basic, Resumable, UnknownResume

#: The page's own deadline, and how long the test waits for its report.
PAGE_LIMIT = 15.0
REPORT_TIMEOUT = 40.0

#: Longest a reconnection may take. Both clients wait 3 s by default: a
#: shorter gap shows they honoured the server's ``retry: 50``.
RECONNECT_GAP_MS = 2000.0

#: The Last-Event-ID of each request of a Resumable() run: a drop after 3
#: events, 2 more published while away, and so on.
RESUMED_FROM = [None, "3", "8"]


@pytest.fixture(scope="session", name="reports")
def reports_fixture() -> Reports:
    """The reports the browser pages post, shared by every server."""
    return Reports()


@pytest.fixture(scope="session", name="front", params=FRONT_NAMES)
def front_fixture(request: pytest.FixtureRequest, reports: Reports) -> Iterator[Front]:
    """Each front end under its server, started once per session."""
    front = make_front(request.param, reports)
    try:
        yield front
    finally:
        front.stop()


@pytest.fixture(scope="session", name="chromium")
def chromium_fixture() -> str:
    """The Chromium program."""
    return require_program("chromium")


@pytest.fixture(scope="session", name="page_server")
def page_server_fixture(reports: Reports) -> Iterator[PageServer]:
    """The test page, for the servers that serve event streams only."""
    with PageServer(reports) as server:
        yield server


@pytest.fixture(scope="session", name="node_client")
def node_client_fixture(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """Node.js and the client script, with the npm package installed once."""
    node = require_program("node")
    npm = require_program("npm")
    return node, install_eventsource(npm, tmp_path_factory.mktemp("npm-eventsource"))


def browse(
    front: Front, scenario: Scenario, chromium: str, page_server: PageServer, reports: Reports
) -> BrowserReport:
    """Serve ``scenario`` on ``front`` and open the test page on it in Chromium."""
    with front.serve(scenario) as url:
        token = uuid.uuid4().hex
        page = f"{front.page_origin}/page" if front.page_origin else page_server.url("/page")
        query = page_query(url, types=LISTENED_TYPES, token=token, limit=PAGE_LIMIT)
        report = run_chromium(chromium, page + query, reports, token, timeout=REPORT_TIMEOUT)
    assert not report.timed_out, f"the page gave up; it saw {report.events}"
    return report


def run_node(front: Front, scenario: Scenario, node_client: tuple[str, Path]) -> NodeRun:
    """Serve ``scenario`` on ``front`` and read it with the npm client."""
    node, script = node_client
    with front.serve(scenario) as url:
        run = run_node_client(node, script, url, types=LISTENED_TYPES, limit=PAGE_LIMIT)
    assert run.finished, f"the client gave up; it saw {run.events}"
    return run


def assert_resumed(
    scenario: Resumable, events: list[tuple[str, str, str]], times: list[float], opens: int
) -> None:
    """Every event once, in order, over the reconnections RESUMED_FROM says,
    each made within RECONNECT_GAP_MS."""
    assert events == scenario.expected()
    assert scenario.last_event_ids == RESUMED_FROM
    assert opens == len(RESUMED_FROM)
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert max(gaps) < RECONNECT_GAP_MS, gaps


# -- Chromium -----------------------------------------------------------------------------


def test_chromium_receives_every_event_in_order(
    front: Front, chromium: str, page_server: PageServer, reports: Reports
) -> None:
    """Multi-line, non-ASCII, named, empty and space-led events arrive as sent."""
    scenario = Basic()
    report = browse(front, scenario, chromium, page_server, reports)
    assert report.events == scenario.expected()
    assert (report.opens, report.errors) == (1, 0)


def test_chromium_reads_crlf_line_endings(
    front: Front, chromium: str, page_server: PageServer, reports: Reports
) -> None:
    """A stream written with CRLF line endings gives the same events."""
    scenario = Basic("\r\n")
    report = browse(front, scenario, chromium, page_server, reports)
    assert report.events == scenario.expected()


def test_chromium_resumes_with_last_event_id(
    front: Front, chromium: str, page_server: PageServer, reports: Reports
) -> None:
    """After each drop Chromium reconnects with Last-Event-ID (after the short
    retry:), the history replays what it missed: nothing lost or repeated."""
    scenario = Resumable()
    report = browse(front, scenario, chromium, page_server, reports)
    assert_resumed(scenario, report.events, report.times, report.opens)


def test_chromium_gets_a_reset_for_an_unknown_last_event_id(
    front: Front, chromium: str, page_server: PageServer, reports: Reports
) -> None:
    """A Last-Event-ID the history lacks makes the app send its reset event."""
    scenario = UnknownResume()
    report = browse(front, scenario, chromium, page_server, reports)
    assert report.events == scenario.expected()
    assert scenario.last_event_ids == [None, "a2"]


# -- the npm eventsource package ------------------------------------------------------------


def test_node_eventsource_receives_every_event_in_order(
    front: Front, node_client: tuple[str, Path]
) -> None:
    """Multi-line, non-ASCII, named, empty and space-led events arrive as sent."""
    scenario = Basic()
    run = run_node(front, scenario, node_client)
    assert run.events == scenario.expected()
    assert (run.opens, run.errors) == (1, 0)


def test_node_eventsource_reads_crlf_line_endings(
    front: Front, node_client: tuple[str, Path]
) -> None:
    """A stream written with CRLF line endings gives the same events."""
    scenario = Basic("\r\n")
    assert run_node(front, scenario, node_client).events == scenario.expected()


def test_node_eventsource_resumes_with_last_event_id(
    front: Front, node_client: tuple[str, Path]
) -> None:
    """After each drop the client reconnects with Last-Event-ID (after the
    short retry:), the history replays what it missed."""
    scenario = Resumable()
    run = run_node(front, scenario, node_client)
    assert_resumed(scenario, run.events, run.times, run.opens)


def test_node_eventsource_gets_a_reset_for_an_unknown_last_event_id(
    front: Front, node_client: tuple[str, Path]
) -> None:
    """A Last-Event-ID the history lacks makes the app send its reset event."""
    scenario = UnknownResume()
    expected = scenario.expected()
    # The package gives each event the ID of its own id: field (its parser's,
    # not the source's last event ID as browsers do), so the reset event,
    # which has none, reports "" where Chromium reports "a2".
    expected[2] = (*expected[2][:2], "")
    assert run_node(front, scenario, node_client).events == expected
    assert scenario.last_event_ids == [None, "a2"]


# -- the project's own clients --------------------------------------------------------------

#: Reconnect as fast as the server's retry: says; give up on a dead server.
POLICY = ReconnectPolicy(min_retry=0, max_attempts=5)


def _fields(events: list[Event]) -> list[tuple[str, str, str]]:
    return [(event.type, event.data, event.id) for event in events]


def test_sync_client_resumes_with_last_event_id(front: Front) -> None:
    """The blocking client's subscription resumes after each drop, like a browser."""
    scenario = Resumable()
    events: list[Event] = []
    with (
        front.serve(scenario) as url,
        SyncClient() as client,
        client.subscribe(url, policy=POLICY) as subscription,
    ):
        for event in subscription:
            events.append(event)
            if event.type == "end":
                break
    assert _fields(events) == scenario.expected()
    assert scenario.last_event_ids == RESUMED_FROM


def test_asyncio_client_resumes_with_last_event_id(front: Front) -> None:
    """The asyncio client's subscription resumes after each drop, like a browser."""
    scenario = Resumable()

    async def read(url: str) -> list[Event]:
        events: list[Event] = []
        async with AsyncioClient() as client, client.subscribe(url, policy=POLICY) as subscription:
            async for event in subscription:
                events.append(event)
                if event.type == "end":
                    break
        return events

    with front.serve(scenario) as url:
        events = asyncio.run(read(url))
    assert _fields(events) == scenario.expected()
    assert scenario.last_event_ids == RESUMED_FROM


# -- a broadcast hub, served by the built-in asyncio server ---------------------------------


class HubServer:
    """The built-in asyncio server in a thread, serving whichever
    :class:`AsyncHub` is current to every request, with a publisher that
    drives one client through a drop: events 1-3 live; the hub closes (every
    stream ends); a new hub over the same history gets 4 and 5 while the
    client is away; the client reconnects with ``Last-Event-ID: 3`` and gets
    them replayed; then 6-12 live, the last of type ``end``."""

    TOTAL: Final = 12

    def __init__(self) -> None:
        self.history = EventHistory()
        self.hub = self._new_hub()
        self.port = 0
        self.ready = threading.Event()
        self.done = threading.Event()
        self.failure: BaseException | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _new_hub(self) -> AsyncHub:
        return AsyncHub(Hub(history=self.history, retry=RETRY_MS, keepalive=None))

    def event(self, number: int) -> ServerEvent:
        return ServerEvent(f"event {number}", type="end" if number == self.TOTAL else None)

    def expected(self) -> list[tuple[str, str, str]]:
        return [
            (self.event(n).type or "message", f"event {n}", str(n))
            for n in range(1, self.TOTAL + 1)
        ]

    def _publish(self, number: int) -> None:
        event = self.event(number)
        self.hub.publish(event.data, type=event.type, id=str(number))

    async def _subscribers(self, count: int) -> None:
        async with asyncio.timeout(30):
            while self.hub.subscribers != count:
                await asyncio.sleep(0.01)

    async def _main(self) -> None:
        async with serve(lambda request: self.hub, headers=CORS) as server:
            self.port = server.port
            self.ready.set()
            try:
                await self._subscribers(1)
                for number in (1, 2, 3):
                    self._publish(number)
                await asyncio.sleep(0.1)
                self.hub.close()  # every stream ends: the client will reconnect
                self.hub = self._new_hub()
                for number in (4, 5):
                    self._publish(number)  # into the history only: nobody listens
                await self._subscribers(1)  # back, with Last-Event-ID: 3
                for number in range(6, self.TOTAL + 1):
                    self._publish(number)
            except BaseException as exc:  # reported to the test
                self.failure = exc
            while not self.done.is_set():
                await asyncio.sleep(0.05)
            self.hub.close()

    def _run(self) -> None:
        asyncio.run(self._main())

    def __enter__(self) -> HubServer:
        self._thread.start()
        assert self.ready.wait(10)
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.done.set()
        self._thread.join(10)

    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/events"


@pytest.mark.parametrize("client", ["chromium", "node"])
def test_a_hub_resumes_a_reconnecting_client_nobody_here_wrote(
    client: str, page_server: PageServer, reports: Reports, request: pytest.FixtureRequest
) -> None:
    """Chromium's EventSource and the npm package, reading a hub served by the
    built-in server: when the hub drops the stream they reconnect with
    Last-Event-ID and get what was published meanwhile, then the live events."""
    with HubServer() as server:
        if client == "chromium":
            chromium = request.getfixturevalue("chromium")
            token = uuid.uuid4().hex
            query = page_query(server.url(), types=LISTENED_TYPES, token=token, limit=PAGE_LIMIT)
            report = run_chromium(
                chromium, page_server.url("/page") + query, reports, token, timeout=REPORT_TIMEOUT
            )
            events, opens = report.events, report.opens
        else:
            node, script = request.getfixturevalue("node_client")
            run = run_node_client(
                node, script, server.url(), types=LISTENED_TYPES, limit=PAGE_LIMIT
            )
            events, opens = run.events, run.opens
    assert server.failure is None, server.failure
    assert events == server.expected()
    assert opens == 2
