"""The evidence registry: the seed records load, malformed registries are refused with a precise message,
and the evidence version follows the registry's content."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import yaml

from outcomes.declaration import default_model
from outcomes.errors import InputError
from outcomes.registry import (
    ASSUMPTION,
    RANGE_MEANINGS,
    Registry,
    default_registry_path,
    evidence_version,
    load_registry,
)

MODEL = default_model()
COVARIATES, PARAMETERS = MODEL.covariates, MODEL.parameters
OUTCOMES = REGISTRY_STRATEGIES = MODEL.parameter_groups

DATA = Path(__file__).resolve().parent / "data"
MALFORMED = yaml.safe_load((DATA / "malformed_registries.yaml").read_text(encoding="utf-8"))["cases"]

SEED_RECORD_IDS = {
    "decompression_complication_guideline",
    "decompression_improved_herkowitz",
    "decompression_lasting_weakness_assumption",
    "decompression_later_instability_assumption",
    "decompression_minor_complication_guideline",
    "decompression_nerve_injury_assumption",
    "decompression_reoperation_deyo",
    "decompression_reoperation_slip",
    "decompression_reoperation_ssss5y",
    "decompression_serious_complication_deyo",
    "fusion_complication_guideline",
    "fusion_improved_guideline",
    "fusion_improved_herkowitz",
    "fusion_lasting_weakness_assumption",
    "fusion_minor_complication_guideline",
    "fusion_nerve_injury_palsy_series",
    "fusion_reoperation_assumption",
    "fusion_reoperation_deyo",
    "fusion_reoperation_slip",
    "fusion_serious_complication_deyo",
    "fusion_solid_fischgrund",
    "fusion_solid_guideline",
    "fusion_solid_pedicle_guideline",
    "medication_deficit_progression_assumption",
    "medication_dizziness_precise",
    "medication_first_response_neuropathic_assumption",
    "medication_first_response_other_assumption",
    "medication_side_effects_any_precise",
    "medication_side_effects_assumption",
    "medication_sustained_response_trial",
    "population_neuropathic_paindetect",
    "population_neuropathic_review",
    "rehabilitation_deficit_progression_assumption",
    "rehabilitation_improved_brox",
    "revision_surgery_improved_north",
    "scs_deficit_progression_assumption",
    "scs_device_complication_process",
    "scs_device_complication_promise",
    "scs_device_revision_promise",
    "scs_improved_north",
    "scs_improved_process",
    "scs_improved_promise",
    "scs_reoperation_north",
}


@pytest.fixture(scope="module")
def seed() -> Registry:
    return load_registry()


# --- the seed registry ----------------------------------------------------------------------------------


def test_default_path_is_the_shipped_priors_folder():
    path = default_registry_path()
    assert path.name == "priors"
    assert (path / "bibliography.yaml").is_file() and (path / "grades.yaml").is_file()


def test_every_seed_record_loads(seed):
    files = sorted(
        f
        for f in default_registry_path().glob("*.yaml")
        if f.name not in {"bibliography.yaml", "grades.yaml", "effects.yaml", "model.yaml"}
    )
    in_files = [r["id"] for f in files for r in yaml.safe_load(f.read_text(encoding="utf-8"))["records"]]
    assert len(in_files) == len(set(in_files))
    assert {r.id for r in seed.records} == set(in_files) == SEED_RECORD_IDS
    assert len(seed.records) == len(in_files)
    effects_file = yaml.safe_load((default_registry_path() / "effects.yaml").read_text(encoding="utf-8"))
    assert [e.id for e in seed.effects] == [e["id"] for e in effects_file["effects"]]
    assert seed.files == tuple(sorted(f.name for f in default_registry_path().glob("*.yaml")))


def test_seed_records_are_valid(seed):
    for r in seed.records:
        assert r.strategy in REGISTRY_STRATEGIES
        assert r.outcome in OUTCOMES[r.strategy]
        assert r.range_meaning in RANGE_MEANINGS
        assert r.grade in seed.grades
        assert r.source == ASSUMPTION or r.source in seed.sources
        assert (r.grade == ASSUMPTION) == r.is_assumption
        for key in (*r.also_cites, *r.informed_by):
            assert key in seed.sources
        assert r.point is not None or r.has_range
        for v in (r.point, r.low, r.high):
            assert v is None or 0 < v < 1
        if r.has_range:
            assert r.low < r.high
        # one file per strategy, or per topic across strategies (complications.yaml, reoperation.yaml)
        assert r.file.endswith(".yaml")
    for e in seed.effects:
        assert e.covariate in COVARIATES
        assert set(e.targets) <= set(PARAMETERS)
        assert e.odds_ratio > 0 and e.per > 0


def test_every_parameter_has_a_record_in_use(seed):
    for p in PARAMETERS:
        assert seed.records_for(p), p
    # records marked use: false stay in the registry (shown) but inform no parameter
    unused = {r.id for r in seed.records if not r.use}
    assert unused == {
        "fusion_solid_pedicle_guideline",
        "population_neuropathic_paindetect",
        # superseded by the split into serious and minor harms, kept for the record
        "fusion_complication_guideline",
        "decompression_complication_guideline",
        "decompression_later_instability_assumption",
        "medication_side_effects_assumption",
        # another time frame or population than the one in use (their notes say why)
        "decompression_reoperation_deyo",
        "decompression_reoperation_ssss5y",
        "fusion_reoperation_deyo",
        "revision_surgery_improved_north",
        "scs_device_complication_process",
        "scs_improved_promise",
    }
    used_ids = {r.id for p in PARAMETERS for r in seed.records_for(p)}
    assert used_ids.isdisjoint(unused)
    assert {r.id for r in seed.records_for("fusion.solid_fusion")} == {
        "fusion_solid_guideline",
        "fusion_solid_fischgrund",
    }


def test_seed_values_parsed(seed):
    r = seed.record("fusion_solid_guideline")
    assert (r.low, r.high, r.point, r.n, r.mass, r.grade) == (0.92, 0.95, None, None, 0.9, "very_low")
    assert r.cited() == "92-95%"
    r = seed.record("fusion_solid_fischgrund")  # no n: 82% of 35 was impossible and the arm size was not read
    assert (r.point, r.n, r.grade) == (0.82, None, "very_low")
    assert r.cited() == "82%"
    assert seed.record("population_neuropathic_paindetect").n == 8000  # the abstract's 'approximately 8000'
    e = seed.effect("effect_neuropathic_features")  # positive likelihood ratio of painDETECT: 0.85 / (1 - 0.80)
    assert e.odds_ratio == pytest.approx(0.85 / 0.20) and e.source == "freynhagen_2006_paindetect"
    assert seed.grades["very_low"].cap == 15 and seed.grades["assumption"].point_ess == 4
    e = seed.effect("effect_age_complication")
    assert (e.reference, e.per, e.odds_ratio) == (60.0, 10.0, 1.2)
    assert e.targets == ("fusion.serious_complication", "decompression.serious_complication", "medication.side_effects")
    e = seed.effect("effect_previous_operations_2")  # one level of the registry's categorical effect
    assert e.applies == (2.0, 2.0) and e.odds_ratio == pytest.approx(0.385)
    with pytest.raises(KeyError):
        seed.record("no_such_record")
    with pytest.raises(KeyError):
        seed.effect("no_such_effect")


def test_sources_and_citations(seed):
    s = seed.sources["fischgrund_1997"]
    assert s.year == 1997 and s.n is None  # the number randomised could not be read in the primary source
    assert s.citation().startswith("Fischgrund JS") and "(1997)" in s.citation()
    assert ASSUMPTION not in seed.sources


# --- malformed registries ---------------------------------------------------------------------------------


def test_at_least_fifteen_malformed_cases():
    assert len(MALFORMED) >= 15
    assert len({c["name"] for c in MALFORMED}) == len(MALFORMED)


@pytest.mark.parametrize("case", MALFORMED, ids=[c["name"] for c in MALFORMED])
def test_malformed_registry_is_refused_precisely(case, mutate_registry):
    folder = mutate_registry(case)
    with pytest.raises(InputError) as info:
        load_registry(folder)
    err, expect = info.value, case["expect"]
    assert len(err.problems) == case.get("count", 1), str(err)
    first = err.first
    if expect["file"] is None:
        assert Path(first.file) == folder
    else:
        assert Path(first.file).name == expect["file"]
        assert Path(first.file).parent == folder
    assert first.where == expect["where"]
    assert first.field == expect["field"]
    message = str(err)
    assert expect["file"] is None or expect["file"] in message
    if expect["where"]:
        assert expect["where"] in message
    if expect["field"]:
        assert f"field '{expect['field']}'" in message
    for text in expect["says"]:
        assert text in message, f"{text!r} not in {message!r}"
    assert "\n" not in message and "Traceback" not in message


def test_python_tag_is_never_executed(registry_copy, capfd):
    marker = registry_copy.parent / "pwned"
    (registry_copy / "effects.yaml").write_text(f'!!python/object/apply:os.system ["touch {marker}"]\n')
    with pytest.raises(InputError, match="safe loader refuses"):
        load_registry(registry_copy)
    assert not marker.exists()


@pytest.mark.timeout(60)
def test_alias_bomb_exits_2_with_one_line_and_quickly(mutate_registry, tmp_path):
    """Once ran until killed: the bomb is refused from the node graph (milliseconds), in a real process."""
    import subprocess
    import sys

    folder = mutate_registry(next(c for c in MALFORMED if c["name"] == "alias_bomb_in_a_field_value"))
    env = {**os.environ, "OUTCOMES_CACHE_DIR": str(tmp_path / "cache")}
    proc = subprocess.run(
        [sys.executable, "-m", "outcomes", "evidence", "--registry", str(folder)],
        capture_output=True,
        text=True,
        env=env,
        timeout=50,
    )
    assert proc.returncode == 2 and proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and "decompression.yaml" in lines[0] and "field 'point'" in lines[0], proc.stderr
    assert not (tmp_path / "cache").exists()  # nothing written


@pytest.mark.timeout(60)
def test_a_value_quoted_in_a_message_is_bounded(registry_copy, edit_file, alias_bomb):
    # 9**5 values: under the expansion bound, so it is read, and the message must quote it without expanding it
    edit_file(registry_copy / "decompression.yaml", "point: 0.44", f"point: {alias_bomb(5)}")
    with pytest.raises(InputError) as info:
        load_registry(registry_copy)
    assert len(info.value.problems) == 1
    message = str(info.value)
    assert "field 'point'" in message and "must be a number in (0, 1), got [[" in message and "..." in message
    assert len(message) < 400


def test_oversized_registry_file_is_refused_unread(registry_copy):
    from outcomes.yamlio import MAX_BYTES

    (registry_copy / "population.yaml").write_text("# padding\n" * (MAX_BYTES // 10 + 1))
    with pytest.raises(InputError) as info:
        load_registry(registry_copy)
    assert len(info.value.problems) == 1
    assert "population.yaml" in str(info.value) and "allowed: a YAML file of at most 1024 KiB" in str(info.value)


@pytest.mark.parametrize("name", [c["name"] for c in MALFORMED if c["name"].startswith("bibliography_")])
def test_broken_bibliography_is_one_line_on_the_command_line(name, mutate_registry, capsys):
    from outcomes.cli import main

    folder = mutate_registry(next(c for c in MALFORMED if c["name"] == name))
    assert main(["evidence", "--registry", str(folder)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.splitlines()) == 1 and "bibliography.yaml" in err and "allowed" in err


def test_all_problems_reported_at_once(registry_copy, edit_file):
    edit_file(registry_copy / "fusion.yaml", "low: 0.92", "low: 1.2")
    edit_file(
        registry_copy / "decompression.yaml",
        "source: praxis_fusion_necessity_2025\n    grade: very_low",
        "source: praxis_fusion_necessity_2025\n    grade: dubious",
    )
    edit_file(registry_copy / "effects.yaml", "covariate: smoker", "covariate: coffee")
    with pytest.raises(InputError) as info:
        load_registry(registry_copy)
    fields = sorted((Path(p.file).name, p.field) for p in info.value.problems)
    assert fields == [("decompression.yaml", "grade"), ("effects.yaml", "covariate"), ("fusion.yaml", "low")]
    message = str(info.value)
    assert all(str(p) in message for p in info.value.problems)


def test_registry_path_not_a_folder(tmp_path):
    with pytest.raises(InputError, match="is not a folder") as info:
        load_registry(tmp_path / "nowhere")
    assert "nowhere" in str(info.value)


def test_a_record_may_omit_optional_fields(registry_copy, edit_file):
    # 'mass' given explicitly is read; a record may cite a range and a point inside it
    edit_file(registry_copy / "fusion.yaml", "low: 0.86", "mass: 0.8\n    point: 0.9\n    low: 0.86")
    r = load_registry(registry_copy).record("fusion_improved_guideline")
    assert (r.mass, r.point, r.low, r.high) == (0.8, 0.9, 0.86, 0.92)
    assert r.cited() == "90% (86-92%)"


# --- evidence version ---------------------------------------------------------------------------------------


def test_version_is_the_same_for_an_identical_copy(seed, registry_copy):
    assert seed.version.startswith("ev-")
    assert load_registry(registry_copy).version == seed.version == evidence_version(default_registry_path())


@pytest.mark.parametrize("name", sorted(p.name for p in default_registry_path().glob("*.yaml")))
def test_version_changes_when_any_file_changes(name, seed, registry_copy):
    f = registry_copy / name
    original = f.read_bytes()
    f.write_bytes(original + b"\n# an edited comment\n")
    changed = load_registry(registry_copy).version
    assert changed != seed.version
    f.write_bytes(original)
    assert load_registry(registry_copy).version == seed.version


def test_version_ignores_timestamps_and_other_files(seed, registry_copy):
    f = registry_copy / "fusion.yaml"
    os.utime(f, (1_000_000_000, 1_000_000_000))
    (registry_copy / "README.md").write_text("notes about the registry\n")
    (registry_copy / "fusion.yaml.bak").write_text("junk")
    assert load_registry(registry_copy).version == seed.version


def test_version_changes_when_a_file_is_added_or_renamed(seed, registry_copy):
    shutil.copy(registry_copy / "population.yaml", registry_copy / "zz_extra.yaml")
    (registry_copy / "population.yaml").unlink()
    # same records, new file name: a different evidence version
    reg = load_registry(registry_copy)
    assert reg.record("population_neuropathic_review").file == "zz_extra.yaml"
    assert reg.version != seed.version


def test_duplicate_key_in_a_record_is_refused(tmp_path):
    import shutil

    from outcomes.errors import InputError
    from outcomes.registry import default_registry_path, load_registry

    reg = tmp_path / "priors"
    shutil.copytree(default_registry_path(), reg)
    f = reg / "fusion.yaml"
    f.write_text(f.read_text().replace("    low: 0.92\n", "    low: 0.92\n    low: 0.50\n", 1))
    with pytest.raises(InputError) as err:
        load_registry(reg)
    msg = str(err.value)
    assert "fusion.yaml" in msg and "duplicate key 'low'" in msg and "each key once" in msg


def test_field_errors_and_cross_check_errors_of_one_record_are_reported_together(tmp_path):
    """A record with a bad field AND an unknown grade gets both problems in one pass."""
    import shutil

    from outcomes.errors import InputError
    from outcomes.registry import default_registry_path, load_registry

    reg = tmp_path / "priors"
    shutil.copytree(default_registry_path(), reg)
    f = reg / "fusion.yaml"
    text = f.read_text()
    text = text.replace("    low: 0.92\n    high: 0.95\n", "    low: 1.92\n    high: 0.95\n", 1)
    text = text.replace(
        "    source: praxis_fusion_necessity_2025\n    also_cites: [praxis_posterior_fusion_2025]\n    grade: very_low",
        "    source: praxis_fusion_necessity_2025\n    also_cites: [praxis_posterior_fusion_2025]\n    grade: medium",
        1,
    )
    f.write_text(text)
    with pytest.raises(InputError) as err:
        load_registry(reg)
    fields = {(p.where, p.field) for p in err.value.problems}
    assert ("record 'fusion_solid_guideline'", "low") in fields
    assert ("record 'fusion_solid_guideline'", "grade") in fields


def test_records_and_effects_declare_their_shared_fields_once():
    """The cited-record base holds the shared fields; the YAML keys an entry may have are its class's fields."""
    import dataclasses

    from outcomes.registry import Cited, Effect, Record

    shared = {f.name for f in dataclasses.fields(Cited)}
    for cls in (Record, Effect):
        assert not shared & set(cls.__annotations__), f"{cls.__name__} redeclares a shared field"
        required, optional = cls.yaml_keys()
        assert required[0] == "id" and "file" not in required + optional
        assert set(required + optional) == {f.name for f in dataclasses.fields(cls)} - {"file"}
    assert Record.yaml_keys()[0] == (
        "id", "strategy", "outcome", "time_frame", "population", "range_meaning", "source", "grade", "note",
    )  # fmt: skip
    assert "applies" in Effect.yaml_keys()[1] and "point" not in Effect.yaml_keys()[1]


def test_a_field_added_to_a_record_class_becomes_an_allowed_yaml_key():
    import dataclasses

    from outcomes.registry import Record

    @dataclasses.dataclass(frozen=True, kw_only=True)
    class Audited(Record):
        checked_by: str = ""

    required, optional = Audited.yaml_keys()
    assert "checked_by" in optional and set(Record.yaml_keys()[0]) == set(required)
