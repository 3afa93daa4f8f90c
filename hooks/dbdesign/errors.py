"""The exception every layer may raise to stop a run with exit status 2. A
leaf: it imports nothing of ours, so raising it never drags the CLI in."""

from __future__ import annotations


class UsageError(Exception):
    """The tool cannot run as asked (exit 2); str() is the one line that
    says what is wrong and how to mend it."""
