#!/usr/bin/env python3
"""Writes ``gitlab_cloud_connector/_generated.py``: the ``GitLabUnitPrimitive`` and
``GitLabFeatureCategory`` enums as real class statements (so type checkers and editors see every
member), from the embedded catalog of the installed native module.

    python bindings-python/tools/gen_enums.py [OUT]

It loads only the native extension (by file), not the package, so it works while
``_generated.py`` is missing or stale. The test suite fails while the file is stale."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import pathlib
import sys
from types import ModuleType

HEADER = '''"""Generated from the embedded catalog by ``bindings-python/tools/gen_enums.py``.
Do not edit: change config/ and regenerate."""

from ._compat import StrEnum


'''

SOURCE = (
    pathlib.Path(__file__).resolve().parent.parent / "python" / "gitlab_cloud_connector" / "_generated.py"
)


def load_native() -> ModuleType:
    spec = importlib.util.find_spec("gitlab_cloud_connector")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("gitlab_cloud_connector is not installed in this interpreter")
    for directory in spec.submodule_search_locations:
        for suffix in importlib.machinery.EXTENSION_SUFFIXES:
            path = pathlib.Path(directory) / f"_native{suffix}"
            if path.exists():
                native_spec = importlib.util.spec_from_file_location("gitlab_cloud_connector._native", path)
                assert native_spec is not None and native_spec.loader is not None
                module = importlib.util.module_from_spec(native_spec)
                native_spec.loader.exec_module(module)
                return module
    raise SystemExit("the native module gitlab_cloud_connector._native was not found")


def _enum(name: str, doc: str, values: list[str]) -> str:
    lines = [f"class {name}(StrEnum):", f'    """{doc}"""', ""]
    lines += [f'    {value.upper()} = "{value}"' for value in values]
    return "\n".join(lines) + "\n"


def render(native: ModuleType) -> str:
    catalog = native.Catalog.embedded()
    return (
        HEADER
        + _enum(
            "GitLabUnitPrimitive",
            "Every unit primitive of the catalog (names and aliases); member name = upper-cased value.",
            catalog.unit_primitive_enum_values(),
        )
        + "\n\n"
        + _enum(
            "GitLabFeatureCategory",
            "Feature categories of the catalog and of earlier package versions.",
            catalog.feature_category_enum_values(),
        )
    )


if __name__ == "__main__":
    out = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else SOURCE
    out.write_text(render(load_native()))
    print(f"wrote {out}")
