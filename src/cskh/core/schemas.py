"""API schemas shared by every router: the error answer."""

from ninja import Schema


class FieldError(Schema):
    field: str
    message: str


class ErrorOut(Schema):
    """Every error answer of the API: a Vietnamese (translated) message and a stable code;
    validation errors (422) also list the fields."""

    detail: str
    code: str
    errors: list[FieldError] | None = None
