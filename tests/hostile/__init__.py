"""Tests that attack the client from hostile loopback servers."""
