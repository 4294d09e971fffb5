"""The one exception hierarchy of feeder.

    FeederError
    ├── ConfigError        bad config file, key or value (exit 2)
    │   └── TemplateError  a page template does not load or render (exit 2)
    ├── SourceError        the source folder is missing or unreadable (exit 2)
    ├── OutputError        the output folder cannot be created or written (exit 2)
    ├── StateError         the state folder's index cannot be used or written (exit 2)
    ├── BusyError          another feeder holds the state folder's lock (exit 2)
    └── ArticleError       one article cannot be used; the build skips it and goes on
        ├── DecodeError    the bytes are not text in any encoding we accept
        ├── FrontMatterError  no front matter, or it does not load as a mapping
        └── FieldError     a field is missing or has an unusable value (title, date, …)

Library code raises these; only ``feeder.cli`` turns them into messages and exit codes. An
exception of another kind met while working on one article is that article's problem
(``unexpected`` words it), never the build's.
"""

from __future__ import annotations


class FeederError(Exception):
    """Base of every error feeder raises on purpose."""


class ConfigError(FeederError):
    """The configuration cannot be used; the message names the file, key and accepted values."""


class TemplateError(ConfigError):
    """A template (built-in or from ``[pages] templates``) has a syntax error or fails to
    render; the message names the file and line."""


class SourceError(FeederError):
    """The source folder cannot be read."""


class OutputError(FeederError):
    """The output folder cannot be written."""


class StateError(FeederError):
    """The state folder (the index) cannot be used: disk full, a folder where a file
    belongs."""


class BusyError(FeederError):
    """Another feeder process is building with the same state folder."""


class ArticleError(FeederError):
    """One article cannot be published. ``line`` is its 1-based line when known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


class DecodeError(ArticleError):
    """The file's bytes are not text."""


class FrontMatterError(ArticleError):
    """The front matter is missing, malformed, or not a mapping."""


class FieldError(ArticleError):
    """A front matter field is missing or unusable."""


def unexpected(doing: str, error: BaseException) -> str:
    """The problem of an article on which feeder met an exception it did not expect (a bug
    of feeder's, or of a library's): said once, naming the exception, asking for a report."""
    return f"{doing} ({type(error).__name__}: {error}); please report this file"
