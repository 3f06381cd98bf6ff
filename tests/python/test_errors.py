"""The exception hierarchy: one class per cape-core error kind, ValueError/OSError where they belong."""

from __future__ import annotations

import datetime
import pathlib
from typing import Callable, List, Tuple

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


# --- every exception is a CapeError naming the parameter ---------------------------------------------------

REPO = pathlib.Path(__file__).resolve().parents[2]
SAMPLE = REPO / "cape-core" / "data" / "sample_es003.csv"
AS_OF = datetime.date(2026, 11, 26)

ASSESS_FUNCTIONS = [
    pytest.param(cape.assess, id="cape.assess"),
    pytest.param(cape.assess_partition, id="cape.assess_partition"),
    pytest.param(cape.iter_assess, id="cape.iter_assess"),
    pytest.param(_cape.assess, id="_cape.assess"),
    pytest.param(_cape.assess_partition, id="_cape.assess_partition"),
    pytest.param(_cape.iter_assess, id="_cape.iter_assess"),
]

# A keyword and a value out of its range: below the least value, or beyond what the keyword can hold (days are
# 32-bit, rows and threads 64-bit). pyo3's own conversion raised a bare OverflowError naming no parameter.
BAD_COUNTS = [
    ("threads", 0),
    ("threads", -1),
    ("threads", 2**64),
    ("urgent_within_days", -1),
    ("urgent_within_days", 2**32),
    ("last_day_offset", -1),
    ("acceptance_lag", -3),
    ("liquidation_offset", 2**32),
    ("reliquidation_window", -90),
]


def assert_names(e: BaseException, keyword: str, value: object) -> None:
    message = str(e)
    assert isinstance(e, cape.InvalidValueError) and isinstance(e, cape.CapeError)
    assert keyword in message, message
    assert str(value) in message, message


@pytest.mark.parametrize("function", ASSESS_FUNCTIONS)
@pytest.mark.parametrize(("keyword", "value"), BAD_COUNTS)
def test_a_count_out_of_range_names_the_keyword_and_the_value(
    function: Callable[..., object], keyword: str, value: int
) -> None:
    with pytest.raises(cape.InvalidValueError) as info:
        function(SAMPLE, as_of=AS_OF, **{keyword: value})
    assert_names(info.value, keyword, value)


def test_the_message_says_the_range() -> None:
    with pytest.raises(cape.InvalidValueError) as info:
        cape.assess(SAMPLE, as_of=AS_OF, urgent_within_days=-1)
    assert str(info.value) == 'invalid urgent_within_days "-1": must be a whole number of days, from 0 to 4294967295'
    assert info.value.kind == "invalid_value"  # type: ignore[attr-defined]
    with pytest.raises(cape.InvalidValueError) as info:
        cape.assess(SAMPLE, as_of=AS_OF, threads=0)
    assert str(info.value) == 'invalid threads "0": must be a whole number of threads, at least 1'


def test_a_huge_number_is_shown_short() -> None:
    with pytest.raises(cape.InvalidValueError) as info:
        cape.assess(SAMPLE, as_of=AS_OF, acceptance_lag=10**5000)
    assert "acceptance_lag" in str(info.value) and len(str(info.value)) < 200


def test_total_rows_and_the_other_counts() -> None:
    with pytest.raises(cape.InvalidValueError) as info:
        _cape.assess(SAMPLE, as_of=AS_OF, total_rows=-1)
    assert_names(info.value, "total_rows", -1)
    report = cape.assess(SAMPLE, as_of=AS_OF)
    partial = cape.assess_partition(SAMPLE, as_of=AS_OF)
    for make in (lambda: report.plan(within=-1), lambda: partial.plan(within=-7),
                 lambda: cape.Plan(as_of=AS_OF, within=2**32)):
        with pytest.raises(cape.InvalidValueError) as info:
            make()
        assert "within" in str(info.value)
    with pytest.raises(cape.InvalidValueError) as info:
        report.write_declarations("unused", max_per_file=-1)
    assert_names(info.value, "max_per_file", -1)
    with pytest.raises(cape.InvalidValueError) as info:
        cape.read_results(b"ENTRY_NUMBER,CLAIM_NUMBER,STATUS,ERROR_DESCRIPTION\n", max_rows=-1)
    assert_names(info.value, "max_rows", -1)


def test_a_count_of_another_type_is_a_type_error_naming_the_keyword() -> None:
    for value in ("2", 2.0, True):
        with pytest.raises(TypeError, match="threads must be an int"):
            cape.assess(SAMPLE, as_of=AS_OF, threads=value)  # type: ignore[arg-type]


def test_good_counts_still_work() -> None:
    report = cape.assess(SAMPLE, as_of=AS_OF, threads=1, urgent_within_days=0, acceptance_lag=0, last_day_offset=80)
    assert report.totals.entries == 2000
    assert report.plan(within=0).within == 0
    assert cape.Plan(as_of=AS_OF, within=None).within is None


# --- text given where a path is expected -------------------------------------------------------------------

TEXT = SAMPLE.read_text(encoding="utf-8")
HEADER = TEXT.splitlines()[0]


def declaration(tmp_path: pathlib.Path) -> pathlib.Path:
    path = tmp_path / "declaration.csv"
    path.write_text("Entry Number\nABC-1234567-6\n", encoding="utf-8")
    return path


TEXT_CALLS: List[Tuple[str, Callable[[str, pathlib.Path], object]]] = [
    ("read_es003", lambda text, tmp: cape.read_es003(text)),
    ("assess", lambda text, tmp: cape.assess(text, as_of=AS_OF)),
    ("assess_partition", lambda text, tmp: cape.assess_partition(text, as_of=AS_OF)),
    ("iter_assess", lambda text, tmp: cape.iter_assess(text, as_of=AS_OF)),
    ("check_declaration", lambda text, tmp: cape.check_declaration(text)),
    ("check_declaration es003", lambda text, tmp: cape.check_declaration(declaration(tmp), es003=text, as_of=AS_OF)),
    ("read_results", lambda text, tmp: cape.read_results(text)),
    ("read_closures", lambda text, tmp: cape.read_closures(text)),
]


@pytest.mark.parametrize(("name", "call"), TEXT_CALLS, ids=[n for n, _ in TEXT_CALLS])
@pytest.mark.parametrize(
    "text",
    [
        pytest.param(TEXT, id="the-whole-file"),
        pytest.param(TEXT * 400, id="2MB"),
        pytest.param(HEADER, id="a-header-line"),
        pytest.param("ENTRY_NUMBER,CLAIM_NUMBER,STATUS,ERROR_DESCRIPTION", id="a-results-header"),
        pytest.param("2026-01-02\n2026-01-05\n", id="closures"),
    ],
)
def test_text_instead_of_a_path_says_so_briefly(
    name: str, call: Callable[[str, pathlib.Path], object], text: str, tmp_path: pathlib.Path
) -> None:
    with pytest.raises(cape.InvalidValueError, match="got text, not a path") as info:
        call(text, tmp_path)
    message = str(info.value)
    assert len(message) < 200, message  # never the whole text as a file name
    assert text[:20].replace("\n", "\\n") in message
    assert ("es003" if name == "check_declaration es003" else "source") in message
    assert not hasattr(info.value, "filename") or info.value.filename is None


def test_a_path_that_looks_odd_is_still_a_path(tmp_path: pathlib.Path) -> None:
    # Commas, semicolons and spaces are allowed in file names: only a line break, a NUL, a length no path has or
    # a header line makes a str text.
    odd = tmp_path / "ES-003, week 12; final.csv"
    odd.write_bytes(SAMPLE.read_bytes())
    assert cape.read_es003(str(odd)).summary.rows_read == cape.read_es003(SAMPLE).summary.rows_read
    with pytest.raises(cape.CapeIOError):
        cape.read_es003(str(tmp_path / "Entry Number.csv"))
    with pytest.raises(TypeError, match="expected a path"):
        cape.read_es003(12)  # type: ignore[arg-type]


def test_text_instead_of_a_path_in_the_other_path_parameters() -> None:
    rates = "first_day,last_day,corporate,noncorporate\n2025-01-01,2025-12-31,7,7\n"
    for make, keyword in [
        (lambda: cape.Tables(rates=rates), "rates"),
        (lambda: cape.Tables(catalogue="prefix,program\n9903.01.25,ieepa\n"), "catalogue"),
        (lambda: cape.Tables(extra_catalogues=["prefix,program\n9903.01.25,ieepa\n"]), "extra_catalogues"),
        (lambda: cape.Tables(rules=['{"name": "phase9"}\n']), "rules"),
        (lambda: cape.read_results(b"ENTRY_NUMBER\n", declared_dir="Entry Number\nABC-1234567-6\n"), "declared_dir"),
    ]:
        with pytest.raises(cape.InvalidValueError, match="got text, not a path") as info:
            make()
        assert keyword in str(info.value)
    with pytest.raises(TypeError, match="rules: expected a list of paths"):
        cape.Tables(rules="rules.json")  # type: ignore[arg-type]


def test_a_negative_serial_names_the_parameter() -> None:
    with pytest.raises(cape.InvalidValueError) as info:
        cape.EntryNumber.from_parts("ABC", -1)
    assert_names(info.value, "serial", -1)
    with pytest.raises(cape.EntryNumberError):
        cape.EntryNumber.from_parts("ABC", 10_000_000)
    assert str(cape.EntryNumber.from_parts("ABC", 1234567)) == "ABC-1234567-6"
