"""Domain errors: a clear message (Vietnamese, translatable) and an HTTP status."""

from typing import Any


class DomainError(Exception):
    def __init__(self, message: Any, *, status: int = 400, code: str = "invalid", **params: Any):
        super().__init__(str(message))
        self.message = message
        self.status = status
        self.code = code
        self.params = params

    def __str__(self) -> str:
        return str(self.message)


class NotFound(DomainError):
    def __init__(self, message: Any, *, code: str = "not_found"):
        super().__init__(message, status=404, code=code)


class Forbidden(DomainError):
    def __init__(self, message: Any, *, code: str = "forbidden"):
        super().__init__(message, status=403, code=code)


class Conflict(DomainError):
    def __init__(self, message: Any, *, code: str = "conflict"):
        super().__init__(message, status=409, code=code)
