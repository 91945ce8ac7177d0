"""The one base class of every error a user can act on.

A bad spec, a recording that is not audio, a missing model file, a refused edit: each is raised
as a subclass of :class:`UserError` and printed as one line naming the file and what to do; any
other exception is a crash and keeps its traceback. The CLI and the Prefect flow tell the two
apart by this class alone, without importing every stage.
"""


class UserError(Exception):
    """A problem with the user's input or set-up; its message is the one line the user sees."""
