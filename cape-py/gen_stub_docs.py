"""Copies the runtime docstrings of the native module ``cape._cape`` into its stubs ``python/cape/_cape.pyi``.

The Rust code is the one source of every docstring of the native module: a ``///`` comment on a pyo3 class,
function, method or getter becomes its ``__doc__`` (what ``help()`` and Jupyter's ``?`` show), and this script
writes the same text into the stub, where type checkers and editors read it. Signatures and annotations in the
stub are left as they are; only docstrings change.

    make py-install                                  # build and install the wheel with the new doc comments
    .venv/bin/python cape-py/gen_stub_docs.py        # rewrite the stub's docstrings
    .venv/bin/python cape-py/gen_stub_docs.py --check  # exit 1 when the stub is not up to date

tests/python/test_docs.py checks the installed stub against the installed module the same way.
"""

from __future__ import annotations

import argparse
import ast
import inspect
import pathlib
import re
import sys
from typing import Iterator, List, Optional, Tuple

STUB = pathlib.Path(__file__).resolve().parent / "python" / "cape" / "_cape.pyi"
# The stub's line length (the Rust code's too).
WIDTH = 120
# A signature line pyo3 or CPython may put before the text of a builtin's docstring: ``name(args)\n--\n\n``.
SIGNATURE = re.compile(r"\A[\w.]+\(.*\)(\s*->\s*.+)?\n--\n\n", re.DOTALL)
# Members whose runtime docstring is CPython's, not cape's: constructors and slot wrappers (``__len__``...).
CPYTHON_DOC_TYPES = ("wrapper_descriptor", "method-wrapper", "builtin_function_or_method")


def runtime_doc(obj: object) -> str:
    """The docstring of ``obj`` as ``inspect.cleandoc`` gives it, without a leading signature line."""
    doc = getattr(obj, "__doc__", None)
    if not isinstance(doc, str):
        return ""
    return inspect.cleandoc(SIGNATURE.sub("", doc, count=1))


def documented(name: str, obj: object) -> bool:
    """Whether cape documents this member (public ones, and dunders pyo3 defines as methods: ``__reduce__``)."""
    if not name.startswith("__"):
        return True
    if name in ("__new__", "__init__"):
        return False
    return type(obj).__name__ not in CPYTHON_DOC_TYPES


def members(tree: ast.Module, module: object) -> Iterator[Tuple[ast.AST, str]]:
    """Each stub node that has a runtime counterpart cape documents, with the counterpart's docstring."""
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            cls = getattr(module, node.name)
            yield node, runtime_doc(cls)
            for item in node.body:
                if isinstance(item, ast.FunctionDef):
                    obj = inspect.getattr_static(cls, item.name, None)
                    if obj is not None and documented(item.name, obj):
                        yield item, runtime_doc(getattr(cls, item.name))
        elif isinstance(node, ast.FunctionDef):
            obj = getattr(module, node.name)
            if documented(node.name, obj):
                yield node, runtime_doc(obj)


def literal(doc: str, indent: str) -> str:
    """``doc`` as a docstring literal at ``indent``: on one line when it fits, else one line per line of text,
    the closing quotes on their own line when the text has paragraphs."""
    text = doc.replace("\\", "\\\\")
    if "\n" not in text and len(indent) + len(text) + 6 <= WIDTH:
        return f'"""{text}"""'
    lines = text.split("\n")
    body = "\n".join([lines[0]] + [indent + line if line else "" for line in lines[1:]])
    if "" in lines or len(indent) + len(lines[-1]) + 3 > WIDTH:
        return f'"""{body}\n{indent}"""'
    return f'"""{body}"""'


def rewrite(source: str, module: object) -> str:
    """The stub's text with every documented member's docstring replaced by the runtime one."""
    data = source.encode("utf-8")
    starts = [0]
    for line in data.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))

    def offset(line: int, col: int) -> int:  # ast columns are UTF-8 byte offsets
        return starts[line - 1] + col

    edits: List[Tuple[int, int, str]] = []
    for node, doc in members(ast.parse(source), module):
        first = node.body[0]  # type: ignore[attr-defined]
        start, end = offset(first.lineno, first.col_offset), offset(first.end_lineno, first.end_col_offset)
        # `def f(self) -> T: ...`: the body is on the line of the `def`.
        inline = data[starts[first.lineno - 1] : start].strip() != b""
        indent = " " * (node.col_offset + 4 if inline else first.col_offset)  # type: ignore[attr-defined]
        stub_doc = ast.get_docstring(node, clean=False)  # type: ignore[arg-type]
        if stub_doc is not None:
            if not doc:
                edits.append((start, end, "..."))
            elif inspect.cleandoc(stub_doc) != doc:
                edits.append((start, end, literal(doc, indent)))
        elif doc and isinstance(first, ast.Expr) and first.value.value is Ellipsis:  # type: ignore[attr-defined]
            if inline:  # `def f(self) -> T:` and the docstring on the next line
                while start > 0 and data[start - 1 : start] == b" ":
                    start -= 1
                edits.append((start, end, "\n" + indent + literal(doc, indent)))
            else:
                edits.append((start, end, literal(doc, indent)))
        elif doc:
            raise SystemExit(f"{getattr(node, 'name', '?')}: cannot place a docstring in the stub")
    for start, end, text in sorted(edits, reverse=True):
        data = data[:start] + text.encode("utf-8") + data[end:]
    return data.decode("utf-8")


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when the stub's docstrings are not up to date")
    args = parser.parse_args(argv)
    from cape import _cape

    before = STUB.read_text(encoding="utf-8")
    after = rewrite(before, _cape)
    if args.check:
        if after != before:
            print(f"{STUB}: docstrings differ from cape._cape's; run {pathlib.Path(__file__).name}", file=sys.stderr)
            return 1
        return 0
    if after != before:
        STUB.write_text(after, encoding="utf-8")
        print(f"rewrote {STUB}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
