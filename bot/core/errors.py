"""The one error hierarchy. Every message says what went wrong *and* what to do.

The CLI, REPL and Slack app print ``str(error)`` as a single line, never a
traceback. Raise these for anything a user can fix; let real bugs propagate.
"""

from __future__ import annotations


class NewsbotError(Exception):
    """Base class: a problem the user can fix. ``str()`` is one line with the fix."""

    exit_code = 1


class ConfigError(NewsbotError):
    """A setting, flag or environment variable has a bad or missing value."""

    exit_code = 2


class InputError(NewsbotError):
    """A file or record given to newsbot cannot be used (names the file or field)."""


class StoreMissingError(NewsbotError):
    """There is no index yet (or it is empty)."""


class StoreLockedError(NewsbotError):
    """Another `newsbot index` holds the store's write lock."""


class EmbedderMismatchError(NewsbotError):
    """The store was built with a different embedder than the one configured."""


class StoreUnreachableError(NewsbotError):
    """The Chroma server at --chroma-url does not answer."""


class LLMError(NewsbotError):
    """The language model endpoint failed (unreachable, bad key, timeout, bad reply)."""


class InvalidQuestionError(NewsbotError):
    """The question is empty, blank, or too long."""


class StoreCorruptError(NewsbotError):
    """A file of the store (the manifest) is damaged; the message says how to rebuild it."""


class StoreReadOnlyError(NewsbotError):
    """The store folder (or a file in it) cannot be written."""
