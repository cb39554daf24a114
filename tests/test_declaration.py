"""The decision model is its declaration: validation, derived simulator and expectations, a second model run
through every command, an event added by a YAML edit, and no module that names the spine model's ids."""

from __future__ import annotations

import ast
import copy
import math
import shutil
from pathlib import Path

import numpy as np
import pytest
import yaml

import outcomes as oc
from outcomes.cli import main
from outcomes.declaration import default_model, expr_text, parse_expr, parse_model
from outcomes.draws import from_arrays
from outcomes.errors import InputError
from outcomes.model import adjusted_parameters, expected_outcomes
from outcomes.registry import default_registry_path

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
TOY = DATA / "toy_registry"
SHIPPED_MODEL = yaml.safe_load((default_registry_path() / "model.yaml").read_text(encoding="utf-8"))


def problems_of(data) -> list[str]:
    model, problems = parse_model(data, "model.yaml")
    assert (model is None) == bool(problems.items)
    return [str(p) for p in problems.items]


# --- validation -----------------------------------------------------------------------------------------------


def test_shipped_model_is_valid_and_complete():
    m = default_model()
    assert m.strategy_ids == ("fusion", "decompression", "medication", "scs", "rehabilitation")
    assert m.n_events == 26
    assert (m.harm, m.other_harms) == ("serious_harm", {"minor_harm": 0.2})
    assert set(m.parameters) == {p for st in m.strategies.values() for p in st.parameters}
    assert m.benefit in m.benefits and m.harm in m.harms
    for s in m.strategies:
        assert {m.benefit, m.harm} <= set(m.applicable[s])


def test_every_problem_is_reported_at_once():
    d = copy.deepcopy(SHIPPED_MODEL)
    d["strategies"]["fusion"]["events"]["improved"] = "fusion.improvd"  # unknown parameter
    med = d["strategies"]["medication"]["events"]
    med["first_response"]["if"] = "sustained"  # a later event: a cycle
    d["outcomes"]["harm"]["role"] = "bad"  # unknown role
    d["strategies"]["decompression"]["outcomes"]["minor_harm"] = "minor_complication and ("  # not an expression
    msgs = problems_of(d)
    assert len(msgs) == 4, msgs
    assert any("event 'improved'" in m and "unknown parameter 'fusion.improvd'" in m for m in msgs)
    assert any("'sustained' is not an earlier event (a cycle)" in m for m in msgs)
    assert any(
        "outcome 'harm'" in m and "field 'role'" in m and "allowed: benefit, harm, information" in m for m in msgs
    )
    assert any("strategy 'decompression' outcome 'minor_harm'" in m for m in msgs)
    assert all(m.startswith("model.yaml: ") for m in msgs)


def test_outcome_cycles_unknown_names_and_unused_parameters_are_refused():
    d = copy.deepcopy(SHIPPED_MODEL)
    outs = d["strategies"]["medication"]["outcomes"]  # no event of medication is named like these outcomes
    outs["minor_harm"] = "serious_harm"
    outs["serious_harm"] = "minor_harm or deficit_progression"
    assert any("defined through itself (a cycle)" in m for m in problems_of(d))

    d = copy.deepcopy(SHIPPED_MODEL)
    d["strategies"]["fusion"]["outcomes"]["serious_harm"] = "serious_complication or dural_tear"
    assert any("unknown name 'dural_tear'" in m for m in problems_of(d))

    d = copy.deepcopy(SHIPPED_MODEL)
    d["parameters"]["fusion"].append("dural_tear")
    assert any("fusion.dural_tear" in m and "no event uses it" in m for m in problems_of(d))

    d = copy.deepcopy(SHIPPED_MODEL)
    d["outcomes"]["improved_without_harm"]["expr"] = "improved and not harms"
    assert any("unknown outcome 'harms'" in m for m in problems_of(d))

    d = copy.deepcopy(SHIPPED_MODEL)
    del d["strategies"]["medication"]["outcomes"]["serious_harm"]
    assert any("does not define 'serious_harm', the decision's harm" in m for m in problems_of(d))
    d = copy.deepcopy(SHIPPED_MODEL)
    del d["strategies"]["rehabilitation"]["outcomes"]["minor_harm"]
    assert any("does not define 'minor_harm', a harm the decision weighs" in m for m in problems_of(d))


def test_expressions_accept_only_boolean_logic():
    e = parse_expr("a and not (b or c)")
    assert expr_text(e) == "a and not (b or c)"
    for bad in ("a + b", "f(a)", "a == b", "a and", "__import__('os')", "", 3):
        with pytest.raises(ValueError):
            parse_expr(bad)


def test_a_broken_model_file_is_one_clear_line_per_problem(tmp_path):
    reg = tmp_path / "priors"
    shutil.copytree(default_registry_path(), reg)
    text = (reg / "model.yaml").read_text().replace("medication.sustained_response\n", "medication.sustain\n", 1)
    (reg / "model.yaml").write_text(text)
    with pytest.raises(InputError) as info:
        oc.load_registry(reg)
    msgs = [str(p) for p in info.value.problems]
    assert any("unknown parameter 'medication.sustain'" in m for m in msgs), msgs
    assert all(str(reg / "model.yaml") in m for m in msgs if "sustain" in m)


# --- derived: exact expectations and the simulator -----------------------------------------------------------


@pytest.fixture(scope="module")
def spine():
    reg = oc.load_registry()
    return reg, oc.prior_draws(oc.elicit(reg), 3000, seed=3), oc.load_profile("default", registry=reg)


def test_exact_expectations_match_the_closed_form_of_the_spine_model(spine):
    _reg, draws, prof = spine
    a = adjusted_parameters(draws, prof.covariates())
    rate = expected_outcomes(draws, prof)
    improved = a["medication.sustained_response"] * (
        a["population.neuropathic_component"] * a["medication.initial_response_neuropathic"]
        + (1 - a["population.neuropathic_component"]) * a["medication.initial_response_other"]
    )
    serious = a["medication.deficit_progression"]
    minor = 1 - (1 - a["medication.side_effects"]) * (1 - a["medication.dizziness"])
    med = rate.sel(strategy="medication")
    np.testing.assert_allclose(med.sel(outcome="improved"), improved, rtol=1e-12)
    np.testing.assert_allclose(med.sel(outcome="serious_harm"), serious, rtol=1e-12)
    np.testing.assert_allclose(med.sel(outcome="minor_harm"), minor, rtol=1e-12)
    np.testing.assert_allclose(med.sel(outcome="harm"), 1 - (1 - serious) * (1 - minor), rtol=1e-12)
    np.testing.assert_allclose(med.sel(outcome="improved_without_harm"), improved * (1 - serious), rtol=1e-12)
    fus = rate.sel(strategy="fusion")
    i = a["fusion.improved"]
    s = 1 - (1 - a["fusion.serious_complication"]) * (1 - a["fusion.nerve_injury"]) * (1 - a["fusion.reoperation"])
    np.testing.assert_allclose(fus.sel(outcome="serious_harm"), s, rtol=1e-12)
    np.testing.assert_allclose(fus.sel(outcome="harm_without_improvement"), s * (1 - i), rtol=1e-12)
    np.testing.assert_allclose(rate.sel(strategy="rehabilitation", outcome="minor_harm"), 0.0)  # declared false
    assert np.isnan(rate.sel(strategy="medication", outcome="solid_fusion")).all()  # not an outcome of medication


def test_toy_model_simulation_matches_its_exact_expectation():
    reg = oc.load_registry(TOY)
    draws = oc.prior_draws(oc.elicit(reg), 400, seed=1)
    prof = oc.load_profile(DATA / "toy_profile.yaml", registry=reg)
    n = 400
    sim = oc.simulate(draws, prof, n_patients=n, seed=2)
    exact = oc.expected_outcomes(draws, prof)
    m = reg.model
    for s in m.strategies:
        for o in m.applicable[s]:
            p = exact.sel(strategy=s, outcome=o).values
            got = sim["rate"].sel(strategy=s, outcome=o).values
            se = math.sqrt(np.mean(p * (1 - p)) / (n * p.size))  # Monte Carlo error of the mean difference
            assert abs(np.mean(got - p)) < 4.5 * se + 1e-12, (s, o)
    # the conditional event: with every flare probability fixed, relief = response and not flare, exactly
    params = reg.parameters
    vals = dict.fromkeys(params, 0.5) | {"injection.response": 0.6, "injection.flare_responder": 0.1}
    fixed = from_arrays(np.array([[vals[k] for k in params]]), None, reg)
    e = oc.expected_outcomes(fixed, prof)
    assert float(e.sel(strategy="injection", outcome="relief")[0]) == pytest.approx(0.6 * 0.9, rel=1e-12)
    assert float(e.sel(strategy="injection", outcome="adverse")[0]) == pytest.approx(
        1 - (1 - (0.6 * 0.1 + 0.4 * 0.5)) * (1 - 0.5), rel=1e-12
    )


def test_toy_model_runs_through_every_command(tmp_path, capsys):
    reg, prof, studies = str(TOY), str(DATA / "toy_profile.yaml"), str(DATA / "toy_studies.csv")
    assert main(["evidence", "--registry", reg]) == 0
    assert "toy_injection_response" in capsys.readouterr().out
    out = tmp_path / "report"
    code = main(["report", "--registry", reg, "--profile", prof, "--draws", "300", "--out", str(out)])
    assert code == 0
    html = (out / "report.html").read_text()
    assert "Steroid injection into the knee" in html and "within 6 months" in html
    assert "Watchful waiting" in html and "fusion" not in html.lower()
    post = tmp_path / "post.nc"
    assert main(["update", "--registry", reg, "--data", studies, "--out", str(post)]) == 0
    assert main(["report", "--registry", reg, "--profile", prof, "--posterior", str(post), "--draws", "300",
                 "--out", str(tmp_path / "r2")]) == 0  # fmt: skip
    code = main(["voi", "--registry", reg, "--profile", prof, "--posterior", str(post), "--draws", "300",
                 "--weights", "0:3:7", "--study-sizes", "50,200", "--out", str(tmp_path / "voi")])  # fmt: skip
    assert code == 0
    text = capsys.readouterr().out
    assert "injection benefit chain" in text  # a group derived from the conditional event of the declaration


def test_a_profile_of_another_model_is_refused():
    toy = oc.load_registry(TOY)
    with pytest.raises(InputError, match=r"decision model 'spine_revision'.*'knee_toy'"):
        oc.compare(oc.load_profile("default"), registry=toy, n_draws=20)
    with pytest.raises(InputError, match="field 'high_bmi': is missing"):
        oc.load_profile("default", registry=toy)


# --- adding an event is a YAML edit plus a record ------------------------------------------------------------


def test_adding_a_dural_tear_is_a_yaml_edit_and_a_record(tmp_path):
    reg_dir = tmp_path / "priors"
    shutil.copytree(default_registry_path(), reg_dir)
    model = yaml.safe_load((reg_dir / "model.yaml").read_text())
    model["parameters"]["fusion"].append("dural_tear")
    model["strategies"]["fusion"]["events"]["dural_tear"] = "fusion.dural_tear"
    model["strategies"]["fusion"]["outcomes"]["dural_tear"] = "dural_tear"
    model["strategies"]["fusion"]["outcomes"]["serious_harm"] += " or dural_tear"
    model["outcomes"]["dural_tear"] = {"role": "harm", "label": "Dural tear", "plain": "a tear of the nerve sac"}
    (reg_dir / "model.yaml").write_text(yaml.safe_dump(model, sort_keys=False))
    with (reg_dir / "fusion.yaml").open("a") as f:
        f.write(
            "  - id: fusion_dural_tear_test\n    strategy: fusion\n    outcome: dural_tear\n    point: 0.08\n"
            '    range_meaning: summary_point\n    time_frame: "at surgery"\n    population: "test"\n'
            '    source: assumption\n    grade: assumption\n    note: "A test of the declaration."\n'
        )
    reg = oc.load_registry(reg_dir)
    assert reg.model.n_events == 27 and "fusion.dural_tear" in reg.parameters
    d = oc.compare("default", registry=reg, n_draws=2000, n_patients=100, seed=4)
    a = adjusted_parameters(d.draws, d.profile.covariates())
    tear = a["fusion.dural_tear"]
    other = (1 - a["fusion.serious_complication"]) * (1 - a["fusion.nerve_injury"]) * (1 - a["fusion.reoperation"])
    exact = oc.expected_outcomes(d.draws, d.profile)
    np.testing.assert_allclose(exact.sel(strategy="fusion", outcome="dural_tear"), tear, rtol=1e-12)
    np.testing.assert_allclose(exact.sel(strategy="fusion", outcome="serious_harm"), 1 - other * (1 - tear), rtol=1e-12)
    assert d.summary.rate("fusion", "dural_tear")["mean"] == pytest.approx(float(np.mean(tear)), abs=0.01)
    assert "dural_tear" not in d.model.applicable["decompression"]


# --- no module keeps its own copy of the spine model's vocabulary -------------------------------------------


def test_no_module_but_the_loader_names_an_id_of_the_spine_model():
    m = default_model()
    ids = set(m.strategies) | set(m.outcomes) | set(m.parameters) | (set(m.parameter_groups) - {"population"})
    ids |= {e.name for st in m.strategies.values() for e in st.events} | set(m.fields)
    found = []
    for f in sorted((ROOT / "outcomes").rglob("*.py")):
        if f.name == "declaration.py":
            continue
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in ids:
                found.append(f"{f.relative_to(ROOT)}:{node.lineno} {node.value!r}")
    assert not found, "modules that name the spine model's ids (read them from the declaration):\n" + "\n".join(found)
