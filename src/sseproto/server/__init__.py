"""The server role: front ends that serve event streams from the sans-I/O core.

Modules (each imports only what its runtime needs, when imported):

- ``sseproto.server.asgi``: :class:`EventStreamResponse`, an ASGI app for one
  event stream (uvicorn, hypercorn, Starlette, FastAPI, Quart; asyncio or trio);
- ``sseproto.server.wsgi``: a streaming WSGI response for threaded servers
  (Flask, Django under waitress or gunicorn);
- ``sseproto.server.asyncio``, ``sseproto.server.trio``: small HTTP/1.1
  event-stream servers on h11 (``serve()``), and the broadcast hub drivers
  :class:`AsyncHub` / :class:`TrioHub` (one publisher, many subscribers);
- ``sseproto.server.redis``: :class:`RedisHub`, a Redis Streams backend that
  several server processes share (asyncio; needs ``redis``).

The decisions about HTTP live in :class:`sseproto.http.ServerExchange`, the
ones about the stream in :class:`sseproto.ServerStream`; these modules read,
feed, write and close.
"""
