"""The one error type a service raises for a request it refuses: field path, code, message."""


class DomainError(Exception):
    status_code = 400

    def __init__(self, field: str, code: str, message: str, *, status_code: int | None = None):
        super().__init__(message)
        self.field, self.code, self.message = field, code, message
        if status_code is not None:
            self.status_code = status_code

    def as_dict(self) -> dict:
        return {"field": self.field, "code": self.code, "message": str(self.message)}


class DomainErrors(Exception):
    """Several field errors at once (e.g. two bad lines in one order); the status of the first."""

    def __init__(self, errors: list[DomainError]):
        super().__init__("; ".join(str(e.message) for e in errors))
        self.errors = errors
        self.status_code = errors[0].status_code
