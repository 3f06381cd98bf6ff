"""Runtime docstrings: ``help(cape.X)`` and Jupyter's ``?`` show the same text as the stubs.

The one source of every docstring of the native module is its Rust code (``///`` comments, which pyo3 turns
into ``__doc__``); ``cape-py/gen_stub_docs.py`` copies them into ``_cape.pyi``. These tests walk the installed
stub and fail when a public class, function, method or property has no runtime docstring, or when the stub's
text and the runtime's differ (run the generator after changing a doc comment).
"""

from __future__ import annotations

import ast
import inspect
import pathlib
import re
from typing import Iterator, Optional, Tuple

import pytest

import cape
from cape import _cape

PACKAGE = pathlib.Path(cape.__file__).parent
STUB = ast.parse((PACKAGE / "_cape.pyi").read_text(encoding="utf-8"))

# A signature line pyo3 (or CPython's builtin-doc convention) may put before the text: ``name(args)\n--\n\n``.
SIGNATURE = re.compile(r"\A[\w.]+\(.*\)(\s*->\s*.+)?\n--\n\n", re.DOTALL)


def clean(doc: Optional[str]) -> str:
    """A docstring as ``inspect.cleandoc`` gives it, without a leading signature line."""
    if not doc:
        return ""
    return inspect.cleandoc(SIGNATURE.sub("", doc, count=1))


def stub_members() -> Iterator[Tuple[str, ast.AST, object]]:
    """Every class, function, method and property of the stub as ``(qualified name, stub node, runtime
    object)``: the public ones, and the private/dunder ones the stub documents."""
    for node in STUB.body:
        if isinstance(node, ast.ClassDef):
            cls = getattr(_cape, node.name)
            if not node.name.startswith("_"):
                yield node.name, node, cls
            for item in node.body:
                if not isinstance(item, ast.FunctionDef):
                    continue
                if item.name.startswith("_") and not ast.get_docstring(item):
                    continue  # an undocumented dunder (`__len__`, `__eq__`...): CPython's slot doc applies
                yield f"{node.name}.{item.name}", item, getattr(cls, item.name)
        elif isinstance(node, ast.FunctionDef):
            if node.name.startswith("_") and not ast.get_docstring(node):
                continue
            yield node.name, node, getattr(_cape, node.name)


MEMBERS = {name: (node, obj) for name, node, obj in stub_members()}


def test_the_walk_finds_the_members() -> None:
    # A guard against a walk that silently finds nothing: the stub has well over a hundred members.
    assert len(MEMBERS) > 250
    for name in ("EntryAssessment", "EntryAssessment.status", "AssessedReport.write_declarations", "read_es003"):
        assert name in MEMBERS


def public(name: str) -> bool:
    return not any(part.startswith("_") for part in name.split("."))


@pytest.mark.parametrize("name", sorted(n for n in MEMBERS if public(n)))
def test_every_public_member_has_a_runtime_docstring(name: str) -> None:
    _, obj = MEMBERS[name]
    assert clean(obj.__doc__), f"{name} has no runtime docstring"


@pytest.mark.parametrize("name", sorted(MEMBERS))
def test_stub_docstring_equals_the_runtime_one(name: str) -> None:
    node, obj = MEMBERS[name]
    stub = ast.get_docstring(node, clean=True) or ""  # type: ignore[arg-type]
    assert stub, f"{name} has no docstring in _cape.pyi (run cape-py/gen_stub_docs.py)"
    assert stub == clean(obj.__doc__), f"{name}: stub and runtime docstrings differ (run cape-py/gen_stub_docs.py)"


def test_help_of_an_assessment_explains_its_properties() -> None:
    # What a user sees: every property of `help(cape.EntryAssessment)` has a line of text after its name.
    text = inspect.getdoc(cape.EntryAssessment.status) or ""
    assert "eligible" in text
    for name, value in vars(cape.EntryAssessment).items():
        if not name.startswith("_"):
            assert clean(getattr(value, "__doc__", None)), name


@pytest.mark.parametrize("name", sorted(cape.__all__))
def test_every_public_name_of_the_package_is_documented(name: str) -> None:
    obj = getattr(cape, name)
    if not callable(obj):
        return  # `__version__`, RECORD_KEYS: values, documented in the stub and the facade
    assert clean(obj.__doc__), f"cape.{name} has no runtime docstring"


@pytest.mark.parametrize("name", ["assess", "assess_partition", "iter_assess", "merge", "arrow_schema"])
def test_facade_functions_have_their_own_docstrings(name: str) -> None:
    # The pure-Python facade (cape/_frames.py) documents what it adds: DataFrames, Arrow tables.
    doc = clean(getattr(cape, name).__doc__)
    assert len(doc) > 40, name
