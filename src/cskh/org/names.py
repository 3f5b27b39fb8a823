"""Vietnamese personal names: family name first ("Lê Minh Thành"), the given name last.

Django's User stores `last_name` (họ và tên đệm, "Lê Minh") and `first_name` (tên, "Thành")
and its `get_full_name()` prints them in Western order; every staff name on a page, in the API
or in a message goes through `vietnamese_name` instead (via `User.get_full_name`,
`User.display_name` or the `staff_name` template filter)."""


def vietnamese_name(family: str, given: str) -> str:
    """ "Lê Minh" + "Thành" → "Lê Minh Thành" (blank parts dropped, spaces normalised)."""
    return " ".join(f"{family or ''} {given or ''}".split())
