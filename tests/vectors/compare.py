"""Compares the observed results of every language's vector runner (tests/vectors/README.md
"make vectors"):

    python3 tests/vectors/compare.py [--vectors tests/vectors] target/vectors/*.json

Each input is one runner's output, ``{"language": ..., "results": {"<file>#<section>#<id>":
<observed>}}``. The cases come from the vector files themselves. Exit 1 when

- languages disagree on a case (the case and the languages, grouped by answer, are printed),
- a runner did not report a case it must report, or reported one no vector file has,
- every language agrees on a case but not with the vector's expected value;

exit 2 when an input or a vector file cannot be read. Only the standard library is used.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Sequence, TextIO, Tuple

Matcher = Callable[[Any, Any], bool]


class Unreadable(Exception):
    """A runner output or vector file that cannot be used."""


# -- how each section's expected value is matched ---------------------------------------------


def _problem_matches(want: Dict[str, Any], got: Any) -> bool:
    return (
        isinstance(got, dict)
        and got.get("kind") == want.get("kind")
        and isinstance(got.get("file"), str)
        and got["file"].endswith(want.get("file") or "")
        and got.get("record") == want.get("record")
        and got.get("field") == want.get("field")
    )


def match_catalog(case: Dict[str, Any], got: Any) -> bool:
    """catalog.json: `expect` exactly (a subset check for `entitlements_includes`), or
    `expect_error`: the code, the message when given, and the problems as a set (a problem's
    file is a suffix of the reported path)."""
    if "expect_error" in case:
        want = case["expect_error"]
        err = got.get("error") if isinstance(got, dict) else None
        if not isinstance(err, dict) or err.get("code") != want.get("code"):
            return False
        if "message" in want and err.get("message") != want["message"]:
            return False
        if "problems" in want:
            problems = err.get("problems")
            if not isinstance(problems, list) or len(problems) != len(want["problems"]):
                return False
            return all(any(_problem_matches(p, g) for g in problems) for p in want["problems"])
        return True
    want = case.get("expect")
    if case.get("op") == "entitlements_includes":
        if not isinstance(got, dict) or not isinstance(want, dict):
            return False
        scopes, audiences = got.get("scopes"), got.get("audiences")
        if not isinstance(scopes, list) or not isinstance(audiences, list):
            return False
        return (
            all(s in scopes for s in want.get("scopes", []))
            and not any(s in scopes for s in want.get("not_scopes", []))
            and all(a in audiences for a in want.get("audiences", []))
        )
    return bool(got == want)


def match_token(case: Dict[str, Any], got: Any) -> bool:
    """tokens.json `cases`: `valid` and, for an invalid token, the error code; claims only when
    the vector lists them."""
    want = case.get("expected", {})
    if not isinstance(got, dict) or got.get("valid") != want.get("valid"):
        return False
    if not want.get("valid") and got.get("error") != want.get("error"):
        return False
    return "claims" not in want or got.get("claims") == want["claims"]


def match_subset(case: Dict[str, Any], got: Any) -> bool:
    """`jwks_cases` / `jwk_cases`: every key of `expected` has the observed value."""
    want = case.get("expected", {})
    return isinstance(got, dict) and all(k in got and got[k] == v for k, v in want.items())


def _empty_claim(value: Any) -> bool:
    return value in ("", [], None)


def match_authenticate(case: Dict[str, Any], got: Any) -> bool:
    """`authenticate`: the user fields and the error exactly; claims null, "empty" (every field
    at its default) or the listed fields."""
    want = case.get("expected", {})
    if not isinstance(got, dict):
        return False
    for name in ("authenticated", "is_debug", "global_user_id", "error"):
        if got.get(name) != want.get(name):
            return False
    claims, want_claims = got.get("claims"), want.get("claims")
    if want_claims is None:
        return claims is None
    if not isinstance(claims, dict):
        return False
    if want_claims == "empty":
        return all(_empty_claim(v) for v in claims.values())
    return isinstance(want_claims, dict) and all(claims.get(k) == v for k, v in want_claims.items())


def match_arguments(case: Dict[str, Any], got: Any) -> bool:
    """arguments.json: `expect` "ok", or `expect_error`: the code and the message exactly."""
    if "expect_error" in case:
        want = case["expect_error"]
        return isinstance(got, dict) and got == {"error": want["code"], "message": want["message"]}
    return got == {"ok": True}


def match_fuzz(case: Dict[str, Any], got: Any) -> bool:
    """fuzz-regressions.json: the target's invariant check passes."""
    return bool(got == {"check": "passed"})


@dataclass(frozen=True)
class Section:
    file: str
    section: str
    path: Tuple[str, ...]  # where the case list is in the file
    match: Matcher
    # Languages that must report every case; None = every runner.
    required: Optional[Tuple[str, ...]] = None


SECTIONS = (
    Section("catalog.json", "cases", ("cases",), match_catalog),
    Section("tokens.json", "cases", ("cases",), match_token),
    Section("tokens.json", "jwks_cases", ("jwks_cases",), match_subset),
    Section("tokens.json", "jwk_cases", ("jwk_cases",), match_subset),
    Section("tokens.json", "authenticate", ("authenticate", "cases"), match_authenticate),
    # The invariant checks are the fuzz targets' Rust code (README "make vectors").
    Section("fuzz-regressions.json", "cases", ("cases",), match_fuzz, required=("rust",)),
    Section("arguments.json", "cases", ("cases",), match_arguments),
)


@dataclass(frozen=True)
class Case:
    key: str
    section: Section
    case: Dict[str, Any]


def load_cases(vectors: pathlib.Path, sections: Sequence[Section] = SECTIONS) -> Dict[str, Case]:
    docs: Dict[str, Any] = {}
    found: Dict[str, Case] = {}
    for s in sections:
        if s.file not in docs:
            path = vectors / s.file
            try:
                docs[s.file] = json.loads(path.read_text())
            except (OSError, ValueError) as e:
                raise Unreadable(f"{path}: {e}") from e
        node: Any = docs[s.file]
        for step in s.path:
            node = node.get(step) if isinstance(node, dict) else None
        if not isinstance(node, list):
            raise Unreadable(f"{s.file}#{s.section}: no case list at {'.'.join(s.path)}")
        for c in node:
            if not isinstance(c, dict) or not isinstance(c.get("id"), str):
                raise Unreadable(f"{s.file}#{s.section}: a case without a string id: {c!r}")
            key = f"{s.file}#{s.section}#{c['id']}"
            if key in found:
                raise Unreadable(f"{key}: the id is used twice")
            found[key] = Case(key, s, c)
    return found


def load_outputs(paths: Sequence[pathlib.Path]) -> Dict[str, Dict[str, Any]]:
    outputs: Dict[str, Dict[str, Any]] = {}
    for path in paths:
        try:
            doc = json.loads(path.read_text())
        except (OSError, ValueError) as e:
            raise Unreadable(f"{path}: {e}") from e
        if not isinstance(doc, dict) or not isinstance(doc.get("language"), str):
            raise Unreadable(f"{path}: not a runner output (no `language`)")
        if not isinstance(doc.get("results"), dict):
            raise Unreadable(f"{path}: not a runner output (no `results` object)")
        lang = doc["language"]
        if lang in outputs:
            raise Unreadable(f"{path}: a second output for {lang}")
        outputs[lang] = doc["results"]
    return outputs


# -- the comparison ------------------------------------------------------------------------------


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@dataclass
class Report:
    languages: List[str]
    disagreements: List[str] = field(default_factory=list)
    unreported: List[str] = field(default_factory=list)
    unknown: List[str] = field(default_factory=list)
    off_expected: List[str] = field(default_factory=list)
    checked: int = 0

    @property
    def failed(self) -> bool:
        return bool(self.disagreements or self.unreported or self.unknown or self.off_expected)


def compare(cases: Dict[str, Case], outputs: Dict[str, Dict[str, Any]], order: Sequence[str] = ()) -> Report:
    languages = sorted(outputs, key=lambda lang: (order.index(lang) if lang in order else len(order), lang))
    report = Report(languages)
    for key, c in cases.items():
        required = c.section.required or tuple(languages)
        for lang in languages:
            if lang in required and key not in outputs[lang]:
                report.unreported.append(f"{key}: not reported by {lang}")
        groups: Dict[str, List[str]] = {}
        values: Dict[str, Any] = {}
        for lang in languages:
            if key in outputs[lang]:
                text = canonical(outputs[lang][key])
                groups.setdefault(text, []).append(lang)
                values[text] = outputs[lang][key]
        if not groups:
            continue
        report.checked += 1
        if len(groups) > 1:
            lines = [f"{key}: " + " | ".join(", ".join(langs) for langs in groups.values())]
            for text, langs in groups.items():
                verdict = "matches" if c.section.match(c.case, values[text]) else "does not match"
                lines.append(f"    {', '.join(langs)} ({verdict} the vector): {text}")
            report.disagreements.append("\n".join(lines))
        else:
            ((text, langs),) = groups.items()
            if not c.section.match(c.case, values[text]):
                want = {k: v for k, v in c.case.items() if k.startswith("expect")}
                vector = canonical(want)
                report.off_expected.append(f"{key}: {', '.join(langs)} = {text}\n    the vector: {vector}")
    for lang in languages:
        for key in outputs[lang]:
            if key not in cases:
                report.unknown.append(f"{key}: reported by {lang}, but no vector file has this case")
    return report


def print_report(report: Report, out: TextIO) -> None:
    def block(title: str, items: List[str]) -> None:
        if items:
            print(f"\n{title} ({len(items)}):", file=out)
            for item in items:
                print(f"  {item}", file=out)

    block("LANGUAGES DISAGREE", report.disagreements)
    block("NOT REPORTED", report.unreported)
    block("UNKNOWN CASES", report.unknown)
    block("EVERY LANGUAGE AGREES, BUT NOT WITH THE VECTOR", report.off_expected)
    langs = ", ".join(report.languages)
    if report.failed:
        print(f"\nvectors: FAILED ({report.checked} cases compared across {langs})", file=out)
    else:
        print(f"vectors: {report.checked} cases, the same result in {langs}", file=out)


def main(argv: Sequence[str], out: TextIO = sys.stdout) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--vectors", type=pathlib.Path, default=pathlib.Path(__file__).resolve().parent)
    parser.add_argument("--require", default="", help="comma-separated languages that must have an output")
    parser.add_argument("outputs", nargs="+", type=pathlib.Path)
    args = parser.parse_args(argv)
    try:
        cases = load_cases(args.vectors)
        outputs = load_outputs(args.outputs)
    except Unreadable as e:
        print(f"compare: {e}", file=sys.stderr)
        return 2
    missing = [lang for lang in args.require.split(",") if lang and lang not in outputs]
    if missing:
        print(f"compare: no output from {', '.join(missing)}", file=sys.stderr)
        return 2
    report = compare(cases, outputs, order=("rust", "python", "ruby", "node"))
    print_report(report, out)
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
