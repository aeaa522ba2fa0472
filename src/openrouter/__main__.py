"""``openrouter`` command line: stream chats and query the OpenRouter API.

    openrouter [--base-url URL] [--api-key KEY] [--timeout S] [--max-retries N] COMMAND ...
    openrouter --version

    openrouter chat [-m MODEL] [--api chat|responses|messages] [--system TEXT]
                    [--max-tokens N] [--temperature T] [--reasoning EFFORT]
                    [--show-reasoning | --hide-reasoning] PROMPT|-
    openrouter models [--json] [--category C] [--supported-parameters P ...] [--search TEXT]
    openrouter generation ID [--json]
    openrouter key [--json]
    openrouter credits [--json]
    openrouter embed [-m MODEL] [--dimensions N] [--json] TEXT ...|-
    openrouter providers [--json]
    openrouter keys list [--include-disabled] [--json]
    openrouter keys create NAME [--limit USD] [--limit-reset daily|weekly|monthly]
    openrouter keys get HASH [--json]
    openrouter keys update HASH [--name NAME] [--limit USD] [--disable | --enable]
    openrouter keys delete HASH [--yes]
    openrouter mock [--port N] [--host 127.0.0.1] [--api-key KEY]
    openrouter demo

``chat`` streams the answer to standard output as it arrives (``-`` reads
the prompt from standard input; the model defaults to ``openrouter/auto``).
On standard error it shows, when that is a terminal, a "waiting for the
model" line with the elapsed time while the server sends only keepalives,
and the reasoning, dimmed (``--show-reasoning`` prints it even when standard
error is not a terminal, ``--hide-reasoning`` never); then a one-line
summary: model, provider, prompt/completion tokens, cost, time to first
token, tokens per second. A request that fails and is retried (a 429, a
5xx, a refused connection; ``--max-retries``) is announced on standard error
as it happens: ``openrouter: 429, retrying in 2 s (1/2)``. Ctrl-C closes the
stream and the connection.

``--api`` picks the API format the chat is sent in: ``chat`` (chat
completions, the default), ``responses`` (OpenAI's Responses format) or
``messages`` (Anthropic's Messages format; ``--max-tokens`` defaults to
4096 there, and ``--reasoning`` becomes a thinking budget in tokens). The
output is the same in all three.

``models``, ``generation``, ``key``, ``credits``, ``providers`` and ``keys``
print a readable table or list, or with ``--json`` the API's objects (one
per line for lists). ``embed`` prints one row per text (dimensions, first
values) and a summary on standard error, or with ``--json`` one vector per
line, as a JSON array. ``keys`` needs a management key; ``keys create``
prints the new key alone on standard output (its details go to standard
error), the only time it can be seen; ``keys delete`` asks for confirmation
on a terminal, and needs ``--yes`` otherwise.

The connection options may come before or after the command; they default
to ``OPENROUTER_BASE_URL`` (else https://openrouter.ai/api/v1) and
``OPENROUTER_API_KEY``.

Amounts of money are shown the same way everywhere: dollars with two to six
decimals (``$0.000123``, ``$100.00``).

``mock`` serves :class:`openrouter.testing.MockOpenRouter` in the
foreground until Ctrl-C (then exits 130, like every command); with
``--api-key`` it accepts only that key and answers 401 to any other. ``demo`` needs no key and no
network: it starts the mock on 127.0.0.1 and streams one answer through
each transport (blocking sockets, asyncio, trio, httpx, httpx async), live,
then prints a table; a transport whose optional extra is missing is
reported as skipped and does not fail the demo.

Text from the server (content, reasoning, model and provider names, error
messages, the models table) is written with control characters escaped
(ESC as ``\\x1b``, a lone surrogate as ``\\ud800``), so it cannot drive the
terminal; ``--json`` output escapes them as JSON does.

Errors are one line on standard error, in words: what happened and what to
do, the advice chosen by the kind of error (an error body inside a 200
response is judged by its code, as the client does). Exit codes:

    0    success
    1    the API answered with an error (401 bad key, 402 no credits,
         429 rate limited, 4xx/5xx, a body that is not the JSON expected),
         or a transport failed in ``demo``
    2    bad usage: unknown option, empty prompt, no API key, a malformed
         API key (whitespace, control characters, non-ASCII) or base URL
    3    the connection failed or timed out
    4    a stream broke: an error inside the stream, or it ended before
         ``[DONE]`` (the partial answer stays on standard output)
    130  interrupted (Ctrl-C)
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from ._cli import run


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); return the exit code."""
    return run(argv)


if __name__ == "__main__":
    sys.exit(main())
