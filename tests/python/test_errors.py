"""The exception hierarchy: one class per cape-core error kind, ValueError/OSError where they belong."""

from __future__ import annotations

import pytest

import cape
from cape import _cape

# class, kind name, stable code, the standard exception it also derives from
KINDS = [
    (cape.EntryNumberError, "invalid_entry_number", 1, ValueError),
    (cape.HtsNumberError, "invalid_hts_number", 2, ValueError),
    (cape.MoneyError, "invalid_money", 3, ValueError),
    (cape.DateError, "invalid_date", 4, ValueError),
    (cape.InvalidValueError, "invalid_value", 5, ValueError),
    (cape.FormatError, "invalid_format", 6, ValueError),
    (cape.MissingColumnError, "missing_column", 7, ValueError),
    (cape.ReferenceDataError, "invalid_reference_data", 8, ValueError),
    (cape.CapeIOError, "io", 9, OSError),
    (cape.CapeOverflowError, "overflow", 10, ValueError),
    (cape.OutputNotEmptyError, "output_not_empty", 11, OSError),
    (cape.OutputLockedError, "output_locked", 12, OSError),
    (cape.UnsafeOutputError, "unsafe_output", 13, OSError),
    (cape.CancelledError, "cancelled", 14, cape.CapeError),
]


def test_root() -> None:
    assert issubclass(cape.CapeError, Exception)
    assert not issubclass(cape.CapeError, ValueError)
    assert cape.CapeError.__module__ == "cape"


@pytest.mark.parametrize(("cls", "kind", "code", "also"), KINDS)
def test_kind_classes(cls: type, kind: str, code: int, also: type) -> None:
    assert issubclass(cls, cape.CapeError)
    assert issubclass(cls, also)
    assert cls.kind == kind  # type: ignore[attr-defined]
    assert cls.code == code  # type: ignore[attr-defined]
    assert cls.__module__ == "cape"
    assert cls.__doc__
    assert getattr(cape, cls.__name__) is cls
    assert cls.__name__ in cape.__all__


def test_every_exception_of_the_native_module_is_mapped() -> None:
    native = {
        name
        for name in dir(_cape)
        if isinstance(getattr(_cape, name), type) and issubclass(getattr(_cape, name), BaseException)
    }
    assert native == {cls.__name__ for cls, *_ in KINDS} | {"CapeError"}


def test_issue_examples() -> None:
    assert issubclass(cape.EntryNumberError, ValueError)
    assert issubclass(cape.CapeIOError, OSError)
    assert not issubclass(cape.CapeIOError, ValueError)


def test_panic_becomes_cape_error_not_panic_exception() -> None:
    with pytest.raises(cape.CapeError, match="boom") as info:
        _cape._panic_for_tests("boom")
    assert type(info.value) is cape.CapeError
    assert "PanicException" not in type(info.value).__name__


def test_public_surface() -> None:
    assert cape.__version__ == _cape.__version__
    assert cape.__version__.count(".") == 2
    for name in cape.__all__:
        assert hasattr(cape, name), name
    assert set(cape.__all__) == {name for name in vars(cape) if not name.startswith("_")} | {"__version__"}


def test_runs_against_the_installed_package(repo) -> None:
    # The tests must exercise the built wheel, not python/cape in the source tree.
    import pathlib

    installed = pathlib.Path(cape.__file__).resolve()
    assert "site-packages" in installed.parts
    assert repo / "cape-py" not in installed.parents
    assert pathlib.Path(_cape.__file__).resolve().parent == installed.parent


def test_version_matches_cargo(repo) -> None:  # type: ignore[no-untyped-def]
    import re

    text = (repo / "Cargo.toml").read_text()
    section = text.split("[workspace.package]", 1)[1]
    version = re.search(r'^version\s*=\s*"([^"]+)"', section, re.M)
    assert version is not None
    assert cape.__version__ == version.group(1)
    assert cape._cape.CORE_VERSION == version.group(1)
