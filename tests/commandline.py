"""Helpers shared by the tests of the two command lines."""

from __future__ import annotations

import re
import subprocess

#: An option entry of argparse's help: two spaces, then ``-x`` or ``--name``.
_OPTION = re.compile(r"^  (-{1,2}[A-Za-z][-A-Za-z]*)")


def options_without_help(help_text: str) -> list[str]:
    """The options of an argparse ``--help`` output that have no help text.

    An entry has help when text follows it on its line (after two spaces or
    more) or on the next line, indented deeper than the entry.
    """
    lines = help_text.splitlines()
    missing = []
    for number, line in enumerate(lines):
        match = _OPTION.match(line)
        if match is None:
            continue
        # argparse separates the help from the option by two spaces or more;
        # an option with its metavars has single spaces only.
        same_line = "  " in line.strip()
        following = lines[number + 1] if number + 1 < len(lines) else ""
        next_line = following.startswith(" " * 4) and not _OPTION.match(following)
        if not (same_line or next_line):
            missing.append(match.group(1))
    return missing


def close_reader_after(proc: subprocess.Popen[bytes], lines: int) -> list[bytes]:
    """Read ``lines`` lines of ``proc``'s standard output, then close the
    pipe (as ``| head -N`` does) and wait for ``proc`` to end."""
    assert proc.stdout is not None
    read = [proc.stdout.readline() for _ in range(lines)]
    proc.stdout.close()
    proc.wait(timeout=20)
    return read
