"""Event streams in the shapes providers really send, each with the
non-streamed body of the same generation (see :mod:`.shapes`)."""
