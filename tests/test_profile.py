"""Patient profiles: the shipped profiles load, covariates are the documented numbers, and every malformed
profile is refused with a message naming the file, the field and what is allowed."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from outcomes.declaration import default_model
from outcomes.errors import InputError
from outcomes.profile import Profile, default_profile_path, load_profile, parse_profile

MODEL = default_model()
STRATEGIES, OUTCOMES, PARAMETERS = tuple(MODEL.strategies), tuple(MODEL.outcomes), MODEL.parameters
APPLICABLE, BENEFITS, HARMS = MODEL.applicable, MODEL.benefits, MODEL.harms


PROFILES = Path(__file__).resolve().parent.parent / "profiles"


@pytest.fixture
def default_text() -> str:
    return default_profile_path().read_text(encoding="utf-8")


@pytest.fixture
def write_profile(tmp_path):
    def write(text: str | bytes, name: str = "patient.yaml") -> Path:
        f = tmp_path / name
        f.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
        return f

    return write


def test_default_profile_is_the_seed_patient():
    p = load_profile()
    assert default_profile_path() == PROFILES / "default.yaml"
    assert p.prior_surgeries == 2
    assert p.instability is True
    assert p.progressive_deficit is True
    assert p.falls == "frequent"
    assert p.bilateral_radicular is True
    assert p.failed_treatments == ("physical_therapy", "epidural_injections")
    assert p.conservative_care_months > 0
    assert p.file == str(default_profile_path())
    assert p.label and p.notes


def test_default_profile_covariates():
    cov = load_profile().covariates()
    assert set(cov) == set(MODEL.covariates)
    assert cov == {
        "prior_surgeries": 2.0,
        "instability": 1.0,
        "progressive_deficit": 1.0,
        "falls": 1.0,
        "bilateral_radicular": 1.0,
        "smoker": 0.0,
        "diabetes": 0.0,
        "neuropathic_features": 0.0,
        "age": 62.0,
    }
    assert all(isinstance(v, float) for v in cov.values())


def test_contrasting_profile_covariates():
    p = load_profile(PROFILES / "stable_first_revision.yaml")
    assert p.neuropathic_features == "yes" and p.notes == ""
    cov = p.covariates()
    assert cov["prior_surgeries"] == 1.0 and cov["instability"] == 0.0 and cov["progressive_deficit"] == 0.0
    assert cov["falls"] == 0.0 and cov["neuropathic_features"] == 1.0 and cov["age"] == 55.0


@pytest.mark.parametrize(("value", "number"), [("yes", 1.0), ("unknown", 0.0), ("no", -1.0)])
def test_neuropathic_covariate(value, number):
    data = load_profile().to_dict() | {"neuropathic_features": value}
    assert parse_profile(data).covariates()["neuropathic_features"] == number


@pytest.mark.parametrize(("falls", "number"), [("none", 0.0), ("occasional", 1.0), ("frequent", 1.0)])
def test_falls_covariate(falls, number):
    data = load_profile().to_dict() | {"falls": falls}
    assert parse_profile(data).covariates()["falls"] == number


def test_every_shipped_profile_loads():
    files = sorted(PROFILES.glob("*.yaml"))
    assert len(files) >= 2
    digests = {load_profile(f).digest() for f in files}
    assert len(digests) == len(files)


def test_round_trip_and_digest(write_profile):
    p = load_profile()
    d = p.to_dict()
    assert "file" not in d and d["failed_treatments"] == ["physical_therapy", "epidural_injections"]
    again = load_profile(write_profile(yaml.safe_dump(d)))
    assert again.to_dict() == d
    assert again.digest() == p.digest()
    assert parse_profile(d | {"age": 63}).digest() != p.digest()
    lines = p.describe()
    assert len(lines) == len(MODEL.fields) and lines[1] == "Number of earlier lumbar operations: 2"


def test_profile_is_frozen():
    p = load_profile()
    with pytest.raises(AttributeError):
        p.age = 30  # type: ignore[misc]
    assert isinstance(p, Profile)


def test_notes_are_optional(default_text, write_profile):
    lines = [ln for ln in default_text.splitlines() if not ln.startswith("notes:")]
    p = load_profile(write_profile("\n".join(lines) + "\n"))
    assert p.notes == ""
    assert not any(not f.required for f in MODEL.fields.values())  # only notes is optional


# --- malformed profiles: (edit of the default profile text, field, what the message must say) -------------

MALFORMED = [
    ("missing_field", ("prior_surgeries: 2\n", ""), "prior_surgeries", ["is missing", "a whole number from 0 to 6"]),
    ("missing_bool", ("instability: true\n", ""), "instability", ["is missing", "true or false"]),
    ("unknown_field", ("age: 62\n", "age: 62\nweight_kg: 80\n"), "weight_kg", ["unknown field", "allowed: label, age"]),
    # a misspelt field is both unknown and, under its real name, missing: both are reported
    (
        "misspelt_field",
        ("falls: frequent", "fals: frequent"),
        ["fals", "falls"],
        ["field 'fals': unknown field", "field 'falls': is missing; allowed: one of none, occasional, frequent"],
    ),
    ("wrong_type_int", ("age: 62", "age: sixty-two"), "age", ["'sixty-two'", "a whole number from 18 to 100"]),
    ("float_for_int", ("prior_surgeries: 2", "prior_surgeries: 2.5"), "prior_surgeries", ["2.5", "whole number"]),
    ("bool_for_int", ("prior_surgeries: 2", "prior_surgeries: true"), "prior_surgeries", ["True", "whole number"]),
    (
        "wrong_type_bool",
        ("instability: true", 'instability: "sometimes"'),
        "instability",
        ["'sometimes'", "true or false"],
    ),
    ("age_too_low", ("age: 62", "age: 12"), "age", ["12", "from 18 to 100"]),
    ("age_too_high", ("age: 62", "age: 130"), "age", ["130", "from 18 to 100"]),
    ("negative_surgeries", ("prior_surgeries: 2", "prior_surgeries: -1"), "prior_surgeries", ["-1", "from 0 to 6"]),
    (
        "months_too_many",
        ("conservative_care_months: 9", "conservative_care_months: 601"),
        "conservative_care_months",
        ["601", "from 0 to 600"],
    ),
    ("bad_choice", ("falls: frequent", "falls: often"), "falls", ["'often'", "one of none, occasional, frequent"]),
    (
        "neuropathic_bad_choice",
        ("neuropathic_features: unknown", "neuropathic_features: maybe"),
        "neuropathic_features",
        ["'maybe'", "one of yes, no, unknown"],
    ),
    # unquoted `yes` is a YAML boolean, not the choice "yes": refused, with the allowed words
    (
        "neuropathic_unquoted_yes",
        ("neuropathic_features: unknown", "neuropathic_features: yes"),
        "neuropathic_features",
        ["True", "one of yes, no, unknown"],
    ),
    (
        "bad_list_item",
        ("[physical_therapy, epidural_injections]", "[physical_therapy, acupuncture]"),
        "failed_treatments",
        ["'acupuncture'", "a list of physical_therapy, epidural_injections"],
    ),
    (
        "list_not_a_list",
        ("[physical_therapy, epidural_injections]", "physical_therapy"),
        "failed_treatments",
        ["'physical_therapy'", "a list of"],
    ),
    (
        "empty_label",
        ('label: "Seed patient: two earlier operations, post-laminectomy instability"', 'label: ""'),
        "label",
        ["''", "allowed: text"],
    ),
]


@pytest.mark.parametrize(("edit", "field", "says"), [c[1:] for c in MALFORMED], ids=[c[0] for c in MALFORMED])
def test_malformed_profile_field(edit, field, says, default_text, write_profile):
    old, new = edit
    assert default_text.count(old) == 1
    f = write_profile(default_text.replace(old, new))
    with pytest.raises(InputError) as info:
        load_profile(f)
    err = info.value
    fields = field if isinstance(field, list) else [field]
    assert [p.field for p in err.problems] == fields
    assert all(p.file == str(f) for p in err.problems)
    message = str(err)
    assert str(f) in message and all(f"field '{name}'" in message for name in fields)
    for text in says:
        assert text in message, f"{text!r} not in {message!r}"


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("not_yaml", "age: [62\nfalls: none\n", ["is not valid YAML at line", "plain YAML only"]),
        ("python_tag", '!!python/object/apply:os.system ["echo hi"]\n', ["is not valid YAML", "plain YAML only"]),
        ("empty", "", ["is empty", "allowed: a mapping of profile fields"]),
        ("comments_only", "# to be filled in\n", ["is empty"]),
        ("a_list", "- age: 62\n- falls: none\n", ["must be a mapping", "allowed fields: label, age"]),
        ("a_scalar", "just text\n", ["must be a mapping"]),
        ("not_utf8", "label: caf\u00e9\n".encode("latin-1"), ["cannot be read", "a profile YAML file"]),
    ],
)
def test_malformed_profile_file(name, content, says, write_profile):
    f = write_profile(content)
    with pytest.raises(InputError) as info:
        load_profile(f)
    assert len(info.value.problems) == 1
    assert info.value.first.file == str(f) and info.value.first.field is None
    message = str(info.value)
    assert str(f) in message
    for text in says:
        assert text in message, f"{text!r} not in {message!r}"


@pytest.mark.timeout(60)
def test_alias_bomb_as_label_is_refused(default_text, write_profile, alias_bomb):
    """Once ran until killed: the error message expanded the label with repr."""
    f = write_profile(default_text.replace('label: "', f'label: {alias_bomb()}\nx_label: "'))
    with pytest.raises(InputError) as info:
        load_profile(f)
    assert len(info.value.problems) == 1
    assert info.value.first.field == "label"
    assert "expands through YAML anchors and aliases" in str(info.value) and "allowed: plain YAML" in str(info.value)


@pytest.mark.timeout(60)
def test_large_label_is_quoted_bounded(default_text, write_profile, alias_bomb):
    f = write_profile(default_text.replace('label: "', f'label: {alias_bomb(5)}\nx_label: "'))
    with pytest.raises(InputError) as info:
        load_profile(f)
    label = next(p for p in info.value.problems if p.field == "label")
    assert "got [[" in str(label) and "allowed: text" in str(label) and len(str(label)) < 400


@pytest.mark.timeout(60)
def test_cli_report_with_a_bomb_profile_exits_2_and_writes_nothing(
    default_text, write_profile, alias_bomb, tmp_path, capsys
):
    from outcomes.cli import main

    f = write_profile(default_text.replace('label: "', f'label: {alias_bomb()}\nx_label: "'))
    out = tmp_path / "report"
    assert main(["report", "--profile", str(f), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "field 'label'" in err
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == [f.name]


def test_oversized_profile_is_refused(write_profile):
    from outcomes.yamlio import MAX_BYTES

    f = write_profile("# padding\n" * (MAX_BYTES // 10 + 1))
    with pytest.raises(InputError, match="allowed: a YAML file of at most 1024 KiB"):
        load_profile(f)


def test_missing_profile_file(tmp_path):
    missing = tmp_path / "nobody.yaml"
    with pytest.raises(InputError, match="does not exist; allowed: a profile YAML file") as info:
        load_profile(missing)
    assert str(missing) in str(info.value)


def test_every_problem_reported_at_once(default_text, write_profile):
    text = default_text.replace("age: 62", "age: 5").replace("falls: frequent", "falls: often")
    text = text.replace("smoker: false\n", "")
    with pytest.raises(InputError) as info:
        load_profile(write_profile(text))
    assert sorted(p.field for p in info.value.problems) == ["age", "falls", "smoker"]


def test_every_field_is_required_except_notes():
    full = load_profile().to_dict()
    for name in ["label", *MODEL.fields, "notes"]:
        data = {k: v for k, v in full.items() if k != name}
        if name == "notes":
            parse_profile(data)
            continue
        with pytest.raises(InputError) as info:
            parse_profile(data, "mem.yaml")
        assert [(p.file, p.field) for p in info.value.problems] == [("mem.yaml", name)]
        assert "allowed" in str(info.value)
    assert set(MODEL.fields["neuropathic_features"].levels) == {"yes", "no", "unknown"}


def test_duplicate_field_and_unquoted_yes_are_explained(tmp_path):
    from outcomes.errors import InputError
    from outcomes.profile import default_profile_path, load_profile

    text = default_profile_path().read_text()
    dup = tmp_path / "dup.yaml"
    dup.write_text(text + "age: 40\n")
    with pytest.raises(InputError, match=r"duplicate key 'age'"):
        load_profile(dup)
    unquoted = tmp_path / "yes.yaml"
    unquoted.write_text(text.replace("neuropathic_features: unknown", "neuropathic_features: yes"))
    with pytest.raises(InputError, match=r'write "yes" or "no" in quotes'):
        load_profile(unquoted)
