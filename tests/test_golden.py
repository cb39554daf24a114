"""Golden numbers: the default report's decision summary at its fixed seed must not move (``make golden`` rewrites
``tests/golden/default_summary.json``; the commit that does so says why the numbers moved).

Tolerance (``outcomes.golden``): floats to 1e-9 relative (1e-12 absolute near zero), everything else exact. The
numbers are deterministic for the seed with the locked versions, so this only absorbs round-off between CPUs.
"""

from __future__ import annotations

import copy
import json

import pytest

from outcomes import golden


@pytest.fixture(scope="module")
def stored() -> dict:
    return json.loads(golden.GOLDEN_FILE.read_text())


@pytest.fixture(scope="module")
def now() -> dict:
    return golden.compute()


def test_golden_file_pins_the_decision(stored):
    s = stored["summary"]
    assert {"rates", "differences", "preferred", "flips", "prob_best", "prob_best_at_weight", "expected_net"} <= set(s)
    assert all({"mean", "low", "high", "per100", "per100_low", "per100_high", "text"} <= set(r) for r in s["rates"])
    assert s["preferred"] in s["expected_net"]
    assert stored["inputs"] == {**golden.report_defaults(), **stored["inputs"]}  # the default report's options
    assert stored["tolerance"] == {"float_rel": golden.REL_TOL, "float_abs": golden.ABS_TOL, "other": "exact"}


def test_default_report_numbers_have_not_moved(now, stored):
    moved = golden.compare(now["inputs"], stored["inputs"], "inputs")
    moved += golden.compare(now["summary"], stored["summary"], "summary")
    assert not moved, (
        f"{len(moved)} golden number(s) moved (versions now {now['versions']}, golden made with "
        f"{stored['versions']}); if intended, run `{golden.COMMAND}` and say why in the commit:\n"
        + "\n".join(moved[:40])
    )


# --- the comparison fails when a number moves -------------------------------------------------------------


def _moved(stored: dict, edit) -> list[str]:
    changed = copy.deepcopy(stored["summary"])
    edit(changed)
    return golden.compare(changed, stored["summary"], "summary")


def test_a_rate_moved_by_ten_times_the_tolerance_fails(stored):
    def edit(s):
        s["rates"][0]["mean"] *= 1 + 10 * golden.REL_TOL

    moved = _moved(stored, edit)
    assert len(moved) == 1 and moved[0].startswith("summary.rates[0].mean: ")


def test_round_off_within_the_tolerance_passes(stored):
    def edit(s):
        s["rates"][0]["mean"] *= 1 + golden.REL_TOL / 10

    assert _moved(stored, edit) == []


@pytest.mark.parametrize(
    ("path", "edit"),
    [
        ("summary.preferred", lambda s: s.update(preferred=next(k for k in s["expected_net"] if k != s["preferred"]))),
        ("summary.rates[3].per100_high", lambda s: s["rates"][3].update(per100_high=s["rates"][3]["per100_high"] + 1)),
        ("summary.rates[2].text", lambda s: s["rates"][2].update(text=s["rates"][2]["text"] + " ")),
        ("summary.flips[0].weight", lambda s: s["flips"][0].update(weight=s["flips"][0]["weight"] + 1e-6)),
        ("summary.differences[1].low", lambda s: s["differences"][1].update(low=s["differences"][1]["low"] + 0.01)),
        ("summary.prob_best[40]", lambda s: s["prob_best"][40].update({s["preferred"]: 0.5})),
        ("summary.flips", lambda s: s["flips"].append(dict(s["flips"][0]))),
    ],
)
def test_any_moved_value_is_named(stored, path, edit):
    moved = _moved(stored, edit)
    assert len(moved) == 1 and moved[0].startswith(path), moved


def test_the_check_command_exits_1_and_lists_what_moved(tmp_path, stored, now, capsys, monkeypatch):
    changed = copy.deepcopy(stored)
    changed["summary"]["rates"][0]["mean"] += 0.01
    f = tmp_path / "golden.json"
    f.write_text(json.dumps(changed))
    monkeypatch.setattr(golden, "compute", lambda: now)  # the same run, not recomputed
    assert golden.main(["--file", str(f)]) == 1
    out = capsys.readouterr().out
    assert "summary.rates[0].mean" in out and "1 number(s) moved" in out
    assert golden.main(["--write", "--file", str(f)]) == 0
    assert golden.main(["--file", str(f)]) == 0
    assert json.loads(f.read_text())["summary"] == now["summary"]
