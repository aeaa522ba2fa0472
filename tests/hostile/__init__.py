"""Clients against loopback servers that break HTTP/1.1 on purpose."""
