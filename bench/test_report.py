"""bench/report.py: the table and the target verdicts from given results (no timing here)."""

from __future__ import annotations

import json
import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import report

FLOOR = {"verify": 20.0, "sign": 700.0, "source": "test"}


def write(tmp: pathlib.Path, name: str, doc: object) -> pathlib.Path:
    p = tmp / name
    p.write_text(json.dumps(doc))
    return p


def verdicts(lines: list[str]) -> dict[str, str]:
    out = {}
    for line in lines:
        for t in report.TARGETS:
            if line.startswith(t.text):
                out[t.text] = line[len(t.text) :].split()[-1]
    return out


def test_targets_met_and_missed(tmp_path: pathlib.Path) -> None:
    ruby = {
        (op, impl): us
        for op, impl, us in [
            ("verify", "ours", 25.0),
            ("verify", "ruby-jwt", 80.0),  # 3.2x: met
            ("cache_hit", "ours", 2.5),  # over 2 us: missed
            ("catalog_lookup", "ours", 0.2),
            ("catalog_lookup", "Psych load", 7000.0),
        ]
    }
    lines = report.table({"ruby": ruby}, FLOOR)
    v = verdicts(lines)
    assert v["verify >= 3x ruby-jwt (issue 5)"] == "yes"
    assert v["cache hit <= 2 us (issue 5)"] == "NO"
    assert v["lookup >= 20x a Psych load (issue 5)"] == "yes"
    assert any("not run (python bench missing)" in line for line in lines)
    row = next(line for line in lines if line.startswith("ruby     verify"))
    assert "ruby-jwt 80.00" in row and "3.20x" in row and "1.25x" in row  # vs peer, vs floor


def test_best_peer_is_the_fastest(tmp_path: pathlib.Path) -> None:
    rows = {("verify", "ours"): 10.0, ("verify", "jose"): 40.0, ("verify", "fast-jwt"): 20.0}
    row = next(line for line in report.table({"node": rows}, FLOOR) if line.startswith("node     verify"))
    assert "fast-jwt 20.00" in row and "2.00x" in row


def test_rust_rows_from_criterion_and_floor_from_the_raw_bench(tmp_path: pathlib.Path) -> None:
    for bench_id, ns in [("verify (no cache)", 21000.0), ("raw aws-lc-rs RS256 verify", 20000.0)]:
        d = tmp_path / bench_id.replace(" ", "_") / "new"
        d.mkdir(parents=True)
        write(d, "benchmark.json", {"full_id": bench_id})
        write(d, "estimates.json", {"median": {"point_estimate": ns}})
    rows = report.criterion_rows(tmp_path)
    assert rows == {("verify", "ours"): 21.0, ("verify", "raw aws-lc"): 20.0}
    v = verdicts(report.table({"rust": rows}, FLOOR))
    assert v["verify <= 1.3x the raw RS256 verify (issue 3)"] == "yes"
    assert v["cache hit < 1 us (issue 3)"] == "measured"  # "not measured": no row


def test_rusts_interleaved_rows_replace_criterions(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    crit = tmp_path / "criterion"
    for bench_id, ns in [
        ("verify (no cache)", 21000.0),
        ("raw aws-lc-rs RS256 verify", 20000.0),
        ("composite verify (cached)", 200.0),
    ]:
        d = crit / bench_id.replace(" ", "_") / "new"
        d.mkdir(parents=True)
        write(d, "benchmark.json", {"full_id": bench_id})
        write(d, "estimates.json", {"median": {"point_estimate": ns}})
    floor = write(tmp_path, "floor.json", FLOOR)
    rust = write(
        tmp_path,
        "rust.json",
        {
            "language": "rust",
            "rows": [
                {"op": "verify", "impl": "ours", "us": 23.0},
                {"op": "verify", "impl": "raw aws-lc", "us": 20.0},
            ],
        },
    )
    report.main(["--criterion", str(crit), "--floor", str(floor), str(rust)])
    v = verdicts(capsys.readouterr().out.splitlines())
    # 23 / 20 from the interleaved rows, not criterion's 21 / 20; criterion's other rows stay.
    assert v["rust verify <= 1.12x the raw RS256 verify (issue 18)"] == "NO"
    assert v["cache hit < 1 us (issue 3)"] == "yes"


def test_a_malformed_result_file_is_named(tmp_path: pathlib.Path) -> None:
    bad = write(tmp_path, "python.json", {"language": "python", "rows": [{"op": "verify"}]})
    with pytest.raises(SystemExit) as e:
        report.load_language(bad)
    assert "python.json" in str(e.value)


def test_issue_18_targets_are_ratios_to_the_floor_of_the_same_run() -> None:
    # Bindings: openssl's floor (verify 20 us, sign 700 us); Rust: its own raw aws-lc-rs rows.
    languages = {
        "python": {("authenticate", "ours"): 25.0, ("cache_hit", "ours"): 1.2, ("issue", "ours"): 720.0},
        "ruby": {("verify", "ours"): 28.0, ("cache_hit", "ours"): 1.4},
        "rust": {
            ("verify", "ours"): 11.0,
            ("verify", "raw aws-lc"): 10.0,
            ("verify", "jsonwebtoken crate"): 15.0,
            ("issue", "ours"): 700.0,
            ("issue", "raw aws-lc"): 600.0,
        },
    }
    lines = report.table(languages, FLOOR)
    v = verdicts(lines)
    assert v["python authenticate <= 1.3x the raw verify (issue 18)"] == "yes"  # 1.25x
    assert v["python cache hit <= 1 us (issue 18)"] == "NO"  # python's 1.2 us
    assert v["python issue <= 1.05x the raw sign (issue 18)"] == "yes"  # python's 1.03x
    assert v["ruby verify <= 1.35x the raw verify (issue 18)"] == "NO"  # ruby's 1.4x
    assert v["ruby cache hit <= 1.5 us (issue 18)"] == "yes"
    assert v["rust verify <= 1.12x the raw RS256 verify (issue 18)"] == "yes"  # 1.1x of the 10 us row
    assert v["rust issue <= 1.05x the raw RS256 sign (issue 18)"] == "NO"  # 700 / 600
    row = next(line for line in lines if line.startswith("ruby     verify"))
    assert row.split()[-1] == "1.40x"
    rust = next(line for line in lines if line.startswith("rust     verify"))
    assert "jsonwebtoken crate 15.00" in rust and "1.36x" in rust and rust.split()[-1] == "1.10x"
    missing = next(line for line in lines if line.startswith("node verify <= 1.3x"))
    assert missing.endswith("not run (node bench missing)")


def test_the_bindings_floor_is_the_faster_raw_rsa_of_the_run() -> None:
    rust = {("verify", "raw aws-lc"): 16.0, ("issue", "raw aws-lc"): 800.0}
    floor = report.fastest_floor(FLOOR, rust)
    # aws-lc's verify beats openssl's 20 us; openssl's 700 us sign beats aws-lc's.
    assert floor["verify"] == 16.0 and floor["sign"] == 700.0
    v = verdicts(report.table({"python": {("authenticate", "ours"): 22.0}}, floor))
    assert v["python authenticate <= 1.3x the raw verify (issue 18)"] == "NO"  # 1.375x, not 1.1x
    assert "(criterion raw aws-lc-rs)" in report.table({}, floor)[0]
    assert report.fastest_floor(FLOOR, {}) == FLOOR


def test_a_bindings_own_raw_row_is_the_floor_of_its_verify_and_authenticate() -> None:
    rows = {
        ("verify", "raw aws-lc"): 16.0,
        ("verify", "ours"): 20.0,
        ("authenticate", "ours"): 21.6,
        ("issue", "ours"): 720.0,
    }
    v = verdicts(report.table({"python": rows}, FLOOR))  # the file's floor: 20 us, 700 us
    assert v["python authenticate <= 1.3x the raw verify (issue 18)"] == "NO"  # 1.35x of 16 us
    assert v["python issue <= 1.05x the raw sign (issue 18)"] == "yes"  # no raw sign row: 700 us
    row = next(line for line in report.table({"python": rows}, FLOOR) if line.startswith("python   verify"))
    assert row.endswith("1.25x")


def test_a_bindings_own_raw_sign_row_is_its_issuance_floor() -> None:
    # The row timed in the binding's process wins over the run's floor file (sign 700 us).
    own = {("issue", "ours"): 720.0, ("issue", "raw aws-lc"): 660.0}
    lines = report.table({"python": own}, FLOOR)
    assert verdicts(lines)["python issue <= 1.05x the raw sign (issue 18)"] == "NO"  # 720 / 660
    row = next(line for line in lines if line.startswith("python   issue"))
    assert row.split()[-1] == "1.09x"
    without = report.table({"python": {("issue", "ours"): 720.0}}, FLOOR)
    assert verdicts(without)["python issue <= 1.05x the raw sign (issue 18)"] == "yes"  # 720 / 700
