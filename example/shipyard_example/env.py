"""Typed, strict readers for environment variables.

Settings are driven by the environment (twelve-factor style). These helpers
turn the raw strings into Python values and refuse anything ambiguous: a typo
in a boolean is a configuration error, not a silent ``False``. Every error is
an :class:`~django.core.exceptions.ImproperlyConfigured` that names the
variable, the value given and what is accepted.

Each reader takes an optional ``environ`` mapping so that it can be used on a
mapping other than :data:`os.environ`.
"""

import os
from collections.abc import Mapping

from django.core.exceptions import ImproperlyConfigured

__all__ = ["env_bool", "env_float", "env_int", "env_list", "env_str"]

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


def _raw(name: str, environ: Mapping[str, str] | None) -> str | None:
    """Return the stripped value of ``name``, or ``None`` when unset or blank."""
    value = (os.environ if environ is None else environ).get(name)
    if value is None or not value.strip():
        return None
    return value.strip()


def env_str(name: str, default: str = "", environ: Mapping[str, str] | None = None) -> str:
    """Return the variable as a stripped string, or ``default`` when unset or blank."""
    value = _raw(name, environ)
    return default if value is None else value


def env_bool(name: str, default: bool, environ: Mapping[str, str] | None = None) -> bool:
    """Return the variable as a boolean.

    Accepts ``1/true/yes/on`` and ``0/false/no/off`` (any case).

    :raises ~django.core.exceptions.ImproperlyConfigured: for any other value.
    """
    value = _raw(name, environ)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"Invalid {name} {value!r}. Expected one of: true, false, 1, 0, yes, no, on, off."
    )


def env_int(name: str, default: int, environ: Mapping[str, str] | None = None) -> int:
    """Return the variable as a non-negative integer.

    :raises ~django.core.exceptions.ImproperlyConfigured: when it is not one.
    """
    value = _raw(name, environ)
    if value is None:
        return default
    if not value.isdigit():
        raise ImproperlyConfigured(
            f"Invalid {name} {value!r}. Expected a non-negative whole number."
        )
    return int(value)


def env_float(
    name: str,
    default: float,
    minimum: float,
    maximum: float,
    environ: Mapping[str, str] | None = None,
) -> float:
    """Return the variable as a float within ``[minimum, maximum]``.

    :raises ~django.core.exceptions.ImproperlyConfigured: when it is not a
        number or is out of range.
    """
    value = _raw(name, environ)
    if value is None:
        return default
    try:
        number = float(value)
    except ValueError:
        number = None
    if number is None or not minimum <= number <= maximum:
        raise ImproperlyConfigured(
            f"Invalid {name} {value!r}. Expected a number from {minimum} to {maximum}."
        )
    return number


def env_list(
    name: str, default: list[str] | None = None, environ: Mapping[str, str] | None = None
) -> list[str]:
    """Return a comma-separated variable as a list of stripped, non-empty items."""
    value = _raw(name, environ)
    if value is None:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]
