"""Tests that attack the client from hostile loopback servers (redirects, broken
HTTP/1.1, dying pooled connections, deadlines)."""
