from django.core.exceptions import PermissionDenied


class TransitionRefused(Exception):
    """A transition that the record's state or the rules do not allow. ``message`` is shown to the user."""

    def __init__(self, message: str, *, reasons: list[str] | None = None):
        super().__init__(message)
        self.message = message
        self.reasons = reasons or []

    def __str__(self) -> str:
        if self.reasons:
            return f"{self.message} " + " ".join(self.reasons)
        return self.message


class TransitionForbidden(PermissionDenied):
    """The actor may not perform this transition on this record."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ConflictError(Exception):
    """Somebody else changed the record first."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
