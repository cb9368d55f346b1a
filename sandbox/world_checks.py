"""The checks a sandbox world file's fields go through (:class:`_V`) and the error they raise
(:class:`WorldError`, re-exported by :mod:`sandbox.world`).  Every message names file and field."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import phonenumbers


class WorldError(ValueError):
    """The world file is missing, unreadable or invalid; the message names file and field."""


class _V:
    """Validation context: knows the file name for error messages."""

    def __init__(self, fname: str) -> None:
        self.fname = fname

    def fail(self, where: str, msg: str) -> WorldError:
        return WorldError(f"{self.fname}: {where}: {msg}")

    def table(self, data: Any, where: str) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise self.fail(where, "must be a table")
        return data

    def tables(
        self, data: dict[str, Any], key: str, where: str, required: bool = False
    ) -> list[dict[str, Any]]:
        value = data.get(key)
        path = f"{where}.{key}" if where else key
        if value is None:
            if required:
                raise self.fail(path, "is required (an array of tables)")
            return []
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.fail(path, "must be an array of tables ([[...]])")
        return value

    def string(self, data: dict[str, Any], key: str, where: str, *, required: bool = True,
               default: str | None = None, choices: tuple[str, ...] | None = None) -> Any:
        value = data.get(key, default)
        if value is None:
            if required:
                raise self.fail(f"{where}.{key}", "is required")
            return None
        if not isinstance(value, str) or (required and not value.strip()):
            raise self.fail(f"{where}.{key}", "must be a non-empty string")
        if choices is not None and value not in choices:
            raise self.fail(f"{where}.{key}", f"must be one of {', '.join(choices)} (got {value!r})")
        return value

    def strings(self, data: dict[str, Any], key: str, where: str, *, required: bool = True,
                non_empty: bool = True, choices: tuple[str, ...] | None = None) -> list[str]:
        value = data.get(key)
        if value is None and not required:
            return []
        ok = isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)
        if not ok or (non_empty and not value):
            raise self.fail(f"{where}.{key}", "must be a non-empty list of strings" if non_empty
                            else "must be a list of strings")
        assert isinstance(value, list)
        if choices is not None:
            for v in value:
                if v not in choices:
                    raise self.fail(f"{where}.{key}", f"{v!r} is not one of {', '.join(choices)}")
        return list(value)

    def boolean(self, data: dict[str, Any], key: str, where: str, default: bool) -> bool:
        value = data.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(f"{where}.{key}", "must be true or false")
        return value

    def integer(self, data: dict[str, Any], key: str, where: str, default: int | None) -> int | None:
        value = data.get(key, default)
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool) or not 100 <= value <= 599:
            raise self.fail(f"{where}.{key}", "must be an HTTP status code (100-599)")
        return value

    def url(self, data: dict[str, Any], key: str, where: str, *, required: bool = True) -> Any:
        value = self.string(data, key, where, required=required)
        if value is None:
            return None
        try:
            parts = urlsplit(value)
            parts.port  # noqa: B018 - raises ValueError for a port out of range
        except ValueError as exc:
            raise self.fail(f"{where}.{key}", f"{value!r} is not a valid URL ({exc})") from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise self.fail(f"{where}.{key}", f"must be an absolute http(s) URL (got {value!r})")
        return value

    def phone(self, data: dict[str, Any], key: str, where: str, region: str, *, required: bool = True) -> Any:
        raw = self.string(data, key, where, required=required)
        if raw is None:
            return None
        try:
            number = phonenumbers.parse(raw, region)
        except phonenumbers.NumberParseException as exc:
            raise self.fail(f"{where}.{key}", f"{raw!r} is not a phone number ({exc})") from None
        if not phonenumbers.is_valid_number(number):
            raise self.fail(f"{where}.{key}", f"{raw!r} is not a valid number in region {region}")
        return raw
