"""Real loopback servers for the adapter tests.

- :mod:`.faults`: a hand-written HTTP/1.1 server that misbehaves on purpose
  (truncated bodies, stalls, endless lines, redirect loops, ...).
- :mod:`.starlette_app`: sse-starlette endpoints served by uvicorn, a server
  nobody here wrote.
- :mod:`.tls`: throwaway certificates from trustme for the TLS variants.
- :mod:`.proxypy`: proxy.py, a forward HTTP proxy nobody here wrote, in a
  child process.
- :mod:`.fixtures`: pytest fixtures that start each server once per session.
- :mod:`.external`: ``require_program()``, the skip-or-fail rule for programs
  the tests start (``SSEPROTO_REQUIRE_SERVERS=1`` makes a missing one a failure).
- :mod:`.redis`: a real ``redis-server`` in a child process (session fixture
  ``redis_server``); :mod:`.redis_sse`: an SSE endpoint on a Redis stream in a
  child process, for tests with several server processes.
- :mod:`.scenarios`: the applications every server front end serves to the
  clients nobody here wrote; :mod:`.frontends`: each front end under its server
  (uvicorn, hypercorn, waitress, the built-in asyncio and trio servers).
- :mod:`.browser`: headless Chromium's ``EventSource`` on a test page that posts
  what it received; :mod:`.node`: the npm ``eventsource`` package on Node.js.
"""
