"""What the built-in servers of every runtime share."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = ["RECEIVE_SIZE", "Server"]

#: Bytes asked of the socket per read (requests are small).
RECEIVE_SIZE: Final = 16 * 1024


@dataclass(frozen=True, slots=True)
class Server:
    """A running built-in server: where it listens."""

    host: str
    port: int

    def url(self, path: str = "/") -> str:
        """``http://host:port`` followed by ``path``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}{path}"
