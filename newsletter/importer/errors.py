"""The one exception type the importer raises for bad input."""


class EditionImportError(Exception):
    """A file cannot be imported; ``str(error)`` is one French line saying why.

    Every other exception escaping the importer is a bug: the command and the admin form only
    catch this one and let anything else propagate.
    """

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message
