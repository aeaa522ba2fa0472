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
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from sseproto import Event, ReconnectPolicy
from sseproto.adapters.asyncio import Client as AsyncioClient
from sseproto.adapters.sync import Client as SyncClient

from .servers.browser import BrowserReport, PageServer, Reports, page_query, run_chromium
from .servers.external import require_program
from .servers.frontends import FRONT_NAMES, Front, Scenario, make_front
from .servers.node import NodeRun, install_eventsource, run_node_client
from .servers.scenarios import LISTENED_TYPES, Basic, Resumable, UnknownResume

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
