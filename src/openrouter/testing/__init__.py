"""A mock OpenRouter server on 127.0.0.1 for tests, demos and benchmarks.

``MockOpenRouter`` is a real HTTP/1.1 server (``h11`` in the server role,
one thread per connection, keep-alive, chunked streaming) that answers the
OpenRouter endpoints under ``/api/v1`` with OpenRouter's JSON shapes::

    from openrouter.testing import MockOpenRouter

    with MockOpenRouter() as server:            # free port on 127.0.0.1
        client = SomeClient(base_url=server.base_url, api_key="sk-test")
        ...
        assert server.requests[-1].json["model"] == "mock/story"

    server = MockOpenRouter(port=8080)      # in the foreground, e.g. for a CLI
    server.start()
    server.serve_forever()                  # until stop() or Ctrl-C

Endpoints: ``POST /chat/completions`` and ``POST /completions`` (legacy),
streamed (``"stream": true``) or not; ``POST /responses`` (OpenAI's Responses
API) and ``POST /messages`` (Anthropic's Messages API), streamed or not (see
below); the catalogue: ``GET /models`` (filters ``category``,
``supported_parameters``, the modalities, ``q``, ``context`` and
``model_authors``; paged by ``offset``/``limit`` with ``total_count`` and
``links.next``), ``GET /models/count``, ``GET /models/user``, ``GET
/model/{author}/{slug}``, ``GET /models/{author}/{slug}/endpoints``, ``GET
/endpoints/zdr`` and ``GET /providers``; the account: ``GET /credits``,
``GET /generation?id=...`` and ``GET /generation/content?id=...`` (any id
this server issued), ``POST /generation/feedback``, ``GET /activity`` (the
generations served, per day and model), ``GET /key``, the API keys (``GET
/keys``, ``POST /keys``, ``GET|PATCH|DELETE /keys/{hash}``, kept in
``server.store["keys"]``) and the PKCE flow (``POST /auth/keys/code``, then
``POST /auth/keys`` with a verifier that answers the code's challenge). Every
endpoint wants ``Authorization: Bearer <non-empty>`` (or exactly
``api_key`` when one is given) and answers 401 with OpenRouter's error body
otherwise.

Scenarios are chosen by the request's ``model``:

========================  ===============================================================
model                     what the reply does
========================  ===============================================================
``mock/story``            default: a short story in 20 content deltas, finish, usage,
                          ``[DONE]``; ``story_pieces(n)`` gives the deltas exactly
``mock/keepalive``        ``: OPENROUTER PROCESSING`` comments before and between chunks
``mock/reasoning``        ``reasoning`` deltas with ``reasoning_details``
                          (``reasoning.text``; ``id``/``format`` on the first, ``signature``
                          on the last), then the answer as content
``mock/tools``            two parallel tool calls (index 0 and 1), arguments split in
                          pieces, ``finish_reason: "tool_calls"``
``mock/usage``            three deltas, then usage with cost, cached and reasoning tokens
``mock/error-int``        three deltas, then an in-band error chunk, ``code: 502``
``mock/error-str``        the same with ``code: "server_error"``
``mock/truncated``        five deltas; the chunked body ends cleanly with no ``[DONE]``
``mock/stall``            head and three deltas, then silence until the client leaves or
                          the server stops (at most ``stall_seconds``)
``mock/drip``             every byte is its own write and chunk, ``drip_delay`` apart
``mock/429``              429, ``Retry-After: 2``, rate-limit headers, JSON error
``mock/availability``     503, ``Retry-After``, an error without ``code`` carrying an
                          ``availability`` block and ``metadata.retry_after``
``mock/error-body-200``   200 ``application/json`` whose body is ``{"error": {...}}``
``mock/html-502``         502 with an HTML page (``text/html``)
``mock/big``              one event with 4 MiB of content, written 64 KiB at a time
``mock/cr``               every line ends with CR alone (comment and data lines)
``mock/utf8-split``       multi-byte UTF-8 characters cut between two chunks/flushes
``mock/web-search``       an answer citing two sources, then one delta with empty content
                          carrying ``url_citation`` ``annotations`` just before the finish
                          chunk; usage with ``server_tool_use.web_search_requests``
``mock/audio``            ``delta.audio`` pieces: ``id`` on the first, ``data`` (base64 WAV)
                          and ``transcript`` fragments on each, ``expires_at`` on the last
``mock/reasoning-encrypted``  ``reasoning.summary`` pieces at index 0, then one
                          ``reasoning.encrypted`` piece, also at index 0, with an ``id``
                          (as xAI models stream); the non-streamed message has both entries
``mock/error-usage``      three deltas, then an in-band error chunk (``finish_reason:
                          "error"``, ``error``) carrying the stream's only ``usage``
========================  ===============================================================

Any model name outside ``mock/`` gets the story; an unknown ``mock/`` name
gets 400. A request whose ``response_format`` asks for JSON gets JSON instead
of the story (for names outside ``mock/`` and ``mock/story``), cut into
content deltas: for ``json_schema``, a value with each ``required`` property
of the schema (see ``_scenarios.example_of``: the first of ``examples``,
``const`` or ``enum``, else ``"mock"``, ``1.5``, ``1``, ``true``, ...); for
``json_object``, ``{"text": STORY_TEXT}``. Error messages (429, 503) name
the model requested. Knobs ride on the model name as a query: ``chunks`` (how many
deltas, e.g. ``mock/story?chunks=20000``), ``delay`` (seconds after each
event, 0 = batched writes), ``drip`` (seconds per byte for ``mock/drip``),
``size`` (bytes of ``mock/big``), ``retry_after`` (seconds, 429 and 503).
The answering model in the chunks is the name without its query.

Non-streaming requests get one ``chat.completion`` (or ``text_completion``)
object with ``usage.cost``: what the stream adds up to (the message holds the
joined content, reasoning, merged ``reasoning_details``, ``annotations`` and
``audio``); ``mock/error-int`` and ``mock/error-str`` answer 200 with an
``{"error": ...}`` body, ``mock/error-usage`` with the partial answer, its
``error`` and ``usage``; ``mock/stall`` sends the head and stalls;
``mock/truncated`` sends half the declared body and closes; ``mock/drip``
drips the body. The legacy stream carries content as ``choices[0].text``;
reasoning and tool-call steps have no legacy form and are left out.

The Responses and Messages endpoints want ``input`` (a string or a list) or
``messages`` (a list) and ``max_tokens`` (a positive integer), else 400
(Messages in Anthropic's ``{"type": "error", ...}`` envelope). They have
their own scenarios, the same model names on both, with the ``chunks`` and
``delay`` knobs (``_event_scenarios``; constants there name what they say):

=====================  ===================================================================
model                  what the reply does (Responses / Messages)
=====================  ===================================================================
``mock/story``         default: the story as one message / text block, ``chunks`` deltas
``mock/reasoning``     a reasoning summary with ``encrypted_content`` / a thinking block
                       with its signature, then text
``mock/tools``         one function call / ``tool_use`` whose JSON arguments come in
                       ``chunks`` deltas (Messages: after an empty first piece)
``mock/web-search``    a ``web_search_call`` item, then text with two ``url_citation``
                       annotations / a ``server_tool_use`` block, its
                       ``web_search_tool_result``, then text with two ``citations_delta``
``mock/incomplete``    partial text, ``response.incomplete`` (``max_output_tokens``) /
                       ``stop_reason: "max_tokens"``
``mock/failed``        partial text, ``response.failed`` / an ``api_error`` event
``mock/error``         partial text, an ``error`` event (``server_error`` / ``api_error``)
``mock/overloaded``    partial text, an ``error`` event / ``overloaded_error``
``mock/truncated``     partial text, then the trailer with no terminal event
``mock/keepalive``     the story with ``: OPENROUTER PROCESSING`` comments before the first
                       event and after the block (Messages: and a ``ping`` event)
=====================  ===================================================================

Responses events are ``data:`` lines only, with ``sequence_number`` 0, 1,
2, ...; Messages events are named on ``event:`` lines. After the terminal
event comes OpenRouter's trailer: ``data: [DONE]``, or ``event: data`` and
``data: [DONE]``; none follows an ``error`` event. Non-streamed, each
answers the object its stream adds up to: the terminal event's
``response`` (``failed`` included, status 200) or the final message
(``usage`` merged from ``message_start`` and ``message_delta``); the
``error`` scenarios answer an error body (Responses 502, or 503 when
overloaded; Messages 500, or 529 for ``overloaded_error``) and
``mock/truncated`` half its body. Other ``mock/`` names with fixed replies
(``mock/429``, ``mock/availability``, ``mock/html-502``, ...) answer as on
the chat endpoint; the rest get 400. ``GET /generation`` knows only chat
and legacy completion ids.

Streams are pre-encoded and, with no delay, written in batches of up to
256 KiB, so 20,000 chunks cost well under a second of server time.
``add_scenario()`` adds a model name with programmatic chunks.

The package, from the wire inwards: ``_server`` (``MockOpenRouter``: lifecycle,
connections, routes), ``_http`` (one connection: reading requests, writing
responses through h11), ``_writes`` (a rendered reply as writes: batches, a
drip, pauses, stalls), ``_records`` (``RecordedRequest``), ``_catalogue`` and
``_account`` (what the non-generation endpoints answer), ``_scenarios`` (the
built-in scenarios, chosen by model name), ``_script`` (the steps a scenario
is made of) and ``_render`` (a script as OpenRouter's wire format); for the
Responses and Messages endpoints, ``_event_scenarios`` (their scenarios, in
format-free blocks) and ``_event_render`` (a block script as either format,
and the matching non-streamed answer).
"""

from __future__ import annotations

from ._records import RecordedRequest
from ._scenarios import STORY_TEXT, story_pieces
from ._server import MockOpenRouter

__all__ = ["STORY_TEXT", "MockOpenRouter", "RecordedRequest", "story_pieces"]
