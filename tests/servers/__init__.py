"""Real loopback servers for the adapter tests.

- :mod:`.faults`: a hand-written HTTP/1.1 server that misbehaves on purpose
  (truncated bodies, stalls, endless lines, redirect loops, ...).
- :mod:`.starlette_app`: sse-starlette endpoints served by uvicorn, a server
  nobody here wrote.
- :mod:`.tls`: throwaway certificates from trustme for the TLS variants.
- :mod:`.proxypy`: proxy.py, a forward HTTP proxy nobody here wrote, in a
  child process.
- :mod:`.fixtures`: pytest fixtures that start each server once per session.
"""
