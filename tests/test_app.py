"""The decision aid in the clinic (``outcomes app``): its numbers, its form rules, its wording, and the page in a
real browser (headless Chromium; marked ``slow``)."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pytest

from outcomes.declaration import default_model
from outcomes.errors import InputError
from outcomes.profile import load_profile
from outcomes.wording import (
    NO,
    OTHER_ANSWERS,
    READING_EASE_MIN,
    TRADES,
    UNSURE,
    YES,
    html_text,
    other_harm_question,
    reading_ease,
    relative_from_answer,
    trade_question,
    weight_from_answers,
)

ROOT = Path(__file__).resolve().parent.parent
DRAWS = 1000
MODEL = default_model()
MINOR = next(iter(MODEL.other_harms))  # the minor harm, weighed against the serious one


@pytest.fixture(scope="module")
def evidence():
    from outcomes.app.engine import load_evidence

    return load_evidence(n_draws=DRAWS, seed=3)


# --- the numbers: the same as the library's ---------------------------------------------------------------


def test_evidence_is_compares_by_default_with_the_seed_view_beside_it(evidence):
    assert evidence.source == "trials" and evidence.data_file and evidence.data_file.endswith("verified_trials.csv")
    assert evidence.conflict is not None and evidence.seed_draws is not None


@pytest.mark.parametrize("weight, minor", [(0.0, None), (1.0, None), (2.5, 1.0), (7.0, 0.05), (1.0, 0.0)])
@pytest.mark.parametrize("profile_file", ["default.yaml", "stable_first_revision.yaml"])
def test_live_summary_equals_the_library_summary(evidence, profile_file, weight, minor):
    from outcomes.app.engine import ProfileResult
    from outcomes.pipeline import compare
    from outcomes.summarize import summarize

    profile = load_profile(ROOT / "profiles" / profile_file)
    other = None if minor is None else {MINOR: minor}
    live = ProfileResult.compute(evidence, profile).at(weight, other)
    d = compare(profile, n_draws=DRAWS, seed=3, weight=weight)
    ref = d.summary if other is None else summarize(d.simulation, weight=weight, other_harms=other)
    assert live.harm_weights == ref.harm_weights
    assert live.rates.equals(ref.rates)  # every mean, interval, text and certainty word
    assert live.preferred == ref.preferred
    assert live.flips == ref.flips
    assert live.net_interval == ref.net_interval
    assert live.prob_best_at_weight == pytest.approx(ref.prob_best_at_weight, abs=1e-12)
    assert live.expected_net == pytest.approx(ref.expected_net, rel=1e-12, abs=1e-15)
    full = live.full()
    assert full.flip_text() == ref.flip_text()
    assert full.prob_best.equals(ref.prob_best) and full.differences.equals(ref.differences)


def test_result_cache_reuses_numbers_only_for_the_same_covariates(evidence):
    from outcomes.app.engine import ResultCache

    cache = ResultCache(evidence, size=2)
    p = load_profile()
    a = cache.get(p)
    relabelled = cache.get(p.replace(label="Another name", conservative_care_months=30))
    assert relabelled.rates is a.rates and relabelled.profile.label == "Another name"
    assert relabelled.provenance.profile_label == "Another name"
    other = cache.get(p.replace(prior_surgeries=0))
    assert not other.rates.equals(a.rates)


# --- the form: every value checked on the server ------------------------------------------------------------


@pytest.mark.parametrize(
    "field, raw, needle",
    [
        ("prior_surgeries", "7", "Allowed: a whole number from 0 to 6"),
        ("prior_surgeries", "-1", "Not allowed: -1"),
        ("prior_surgeries", "two", "Not a whole number (two)"),
        ("prior_surgeries", "1e9", "Not a whole number"),
        ("prior_surgeries", "9" * 400, "Too long (400 characters)"),
        ("prior_surgeries", "", "Not a whole number. Allowed"),
        ("age", "<script>alert(1)</script>", "Too long"),
        ("age", "1.5", "Not a whole number"),
        ("age", None, "Not a whole number"),
        ("age", True, "Not a whole number"),
        ("label", "x" * 5000, "Too long (5000 characters)"),
        ("label", "", "Not allowed"),
        ("label", "a\x00b", "control characters"),
        ("falls", "sometimes", "Allowed: one of none, occasional, frequent"),
        ("falls", ["none"], "Not allowed"),
        ("neuropathic_features", True, "Allowed: one of yes, no, unknown"),
        ("instability", "yes", "Allowed: yes or no"),
        ("failed_treatments", ["surgery"], "Allowed: any of physical therapy"),
        ("failed_treatments", "physical_therapy", "Not a list"),
        ("notes", 12, "Not text"),
    ],
)
def test_bad_form_values_get_a_message_and_change_nothing(field, raw, needle):
    from outcomes.app.form import apply_form, form_values

    previous = load_profile()
    values = form_values(previous)
    values[field] = raw
    profile, messages = apply_form(values, previous)
    assert profile == previous  # nothing else changes
    assert list(messages) == [field] and needle in messages[field], messages
    assert len(messages[field]) < 200 and "<script>" not in messages[field]


def test_good_form_values_change_only_their_field():
    from outcomes.app.form import apply_form, form_values

    previous = load_profile()
    values = form_values(previous)
    values.update(prior_surgeries=" 3 ", falls="none", label="<b>Ms A</b>", failed_treatments=["medication"])
    values["age"] = "200"  # one bad value among good ones keeps its old value
    profile, messages = apply_form(values, previous)
    assert list(messages) == ["age"]
    assert profile.age == previous.age and profile.prior_surgeries == 3 and profile.falls == "none"
    assert profile.label == "<b>Ms A</b>" and profile.failed_treatments == ("medication",)
    assert list(form_values(profile)) == ["label", *MODEL.fields, "notes"]  # the form follows the model's fields


@pytest.mark.parametrize(
    "data, needle",
    [
        (b"", "is empty"),
        (b"label: [unclosed", "is not valid YAML"),
        (b"\xff\xfe\x00", "is not UTF-8"),
        (b"a: 1\na: 2\n", "not valid YAML"),
        (b"- just\n- a list\n", "must be a mapping"),
        (b"x" * (65 * 1024), "of at most 65536 bytes"),
        (b"label: x\nage: 1000\n", "field 'age'"),
    ],
)
def test_a_bad_profile_file_is_refused_with_its_reason(data, needle):
    from outcomes.app.form import profile_from_upload

    with pytest.raises(InputError) as err:
        profile_from_upload(data, "mine.yaml", MODEL)
    assert needle in str(err.value) and "mine.yaml" in str(err.value)


def test_a_saved_profile_loads_back_and_reads_in_the_report(tmp_path):
    from outcomes.app.form import profile_from_upload, profile_yaml

    p = load_profile().replace(label='Ms "A" <script>', prior_surgeries=1)
    data = profile_yaml(p)
    back = profile_from_upload(data, "saved.yaml", MODEL)
    assert back.to_dict() == p.to_dict()
    (tmp_path / "saved.yaml").write_bytes(data)
    assert load_profile(tmp_path / "saved.yaml").to_dict() == p.to_dict()
    long = dataclasses.replace(p, label="x" * 150)
    with pytest.raises(InputError, match="longer than 120"):
        profile_from_upload(profile_yaml(long), "long.yaml", MODEL)


# --- the wording: preferences and readability --------------------------------------------------------------


def test_answers_bound_the_weight():
    def w(**answers):
        return weight_from_answers({int(k[1:]): v for k, v in answers.items()}, 1.0, MODEL)

    assert w().weight == 1.0 and w().answered == 0  # no answers: the default
    assert w(t1=YES).weight == 0.5  # at most 1: half the bound
    assert w(t1=NO, t2=YES).weight == pytest.approx(math.sqrt(2))  # between 1 and 2
    assert w(t2=NO, t5=YES, t10=YES).weight == pytest.approx(math.sqrt(10))
    assert w(t10=NO).weight == 20.0  # more than 10: twice the bound
    assert w(t1=NO, t2=UNSURE, t5=YES).weight == pytest.approx(math.sqrt(5))
    bad = w(t2=YES, t5=NO)
    assert bad.weight is None and "do not fit together" in bad.text
    for low, high in [(0, 1), (1, 2), (2, 5), (5, 10)]:
        answers = {n: (NO if n <= low else YES) for n in TRADES if n <= low or n >= high}
        got = weight_from_answers(answers, 1.0, MODEL)
        assert low < got.weight <= high  # Yes to n means the weight is at most n; No means more than n
    with pytest.raises(ValueError):
        weight_from_answers({3: YES}, 1.0, MODEL)


def test_the_questions_use_the_models_words_and_set_the_minor_harm_weight():
    assert trade_question(5, MODEL) == (
        "Would you accept 1 more person in 100 being seriously harmed to get 5 more people in 100 much better?"
    )
    q = other_harm_question(MINOR, MODEL)
    assert MODEL.outcome_plain(MINOR) in q and q.endswith("as 1 person seriously harmed?")
    assert relative_from_answer(UNSURE, MODEL.other_harms[MINOR]) == MODEL.other_harms[MINOR]
    for answer, n in OTHER_ANSWERS.items():  # n people with a minor harm count as much as 1 seriously harmed
        assert relative_from_answer(answer, 0.2) == pytest.approx(1 / n)
    with pytest.raises(ValueError):
        relative_from_answer("3", 0.2)


def test_reading_ease_ranks_plain_above_dense_text():
    plain = "Think of 100 people like you. Most of them get better. A few have a problem."
    dense = (
        "Revision decompression with instrumented transforaminal interbody fusion demonstrates "
        "considerable heterogeneity regarding postoperative complications."
    )
    assert reading_ease(plain) > 80 > 20 > reading_ease(dense)
    assert html_text("<p>a <b>b</b></p><style>p{}</style><li>c</li>") == "a b\nc"


def test_the_report_patient_part_is_plain_language(tmp_path):
    from outcomes.cli import main

    out = tmp_path / "rep"
    assert main(["report", "--out", str(out), "--draws", "500"]) == 0
    page = (out / "report.html").read_text()
    patient = page[page.index("<header>") : page.index('<div class="divider">')]
    text = html_text(patient)
    assert reading_ease(text) >= READING_EASE_MIN, text
    # one denominator and one time frame in the patient part; researcher detail only after the divider
    assert "within 2 years of starting treatment" in text and "out of the same 100 people" in text
    for researcher_word in ("odds ratio", "Beta(", "ESS", "seed", "fusion_improved_herkowitz", "TLIF"):
        assert researcher_word not in text
    rest = page[page.index('<div class="divider">') :]
    assert "fusion_improved_herkowitz" in rest and "For the clinician" in rest and "What the numbers rest on" in rest


def test_the_handout_is_plain_language_and_carries_what_it_must(evidence):
    from outcomes.app.engine import ProfileResult
    from outcomes.app.render import handout_html

    for weight, minor in ((0.5, None), (1.0, 1.0), (3.2, 0.05)):
        profile = dataclasses.replace(load_profile(), label="Ms A <script>alert(1)</script>")
        s = ProfileResult.compute(evidence, profile).at(weight, None if minor is None else {MINOR: minor})
        doc = handout_html(evidence, s, profile, "No answers yet.", auto_print=False)
        text = html_text(doc)
        assert reading_ease(text) >= READING_EASE_MIN, text
        assert "<script>alert" not in doc and "&lt;script&gt;" in doc
        for needle in (evidence.version, "within 2 years of starting treatment", "Supports, does not replace"):
            assert needle in text
        assert "Made on 20" in text and "Number of earlier lumbar operations: 2." in text
        for st in MODEL.strategies:
            for o in MODEL.patient_outcomes:
                assert s.rate(st, o).text in text
        assert "per cent" not in text and "%" not in text  # one denominator: out of 100, never percent


# --- the page in Python (no browser) -------------------------------------------------------------------------


def test_page_updates_only_what_changed_and_keeps_sessions_apart(evidence):
    from outcomes.app.page import ClinicPage

    a, b = ClinicPage(evidence, load_profile()), ClinicPage(evidence, load_profile())
    before_b = b.results.object
    a.widgets["prior_surgeries"].value = "0"
    assert a.profile.prior_surgeries == 0 and b.profile.prior_surgeries == 2
    assert b.results.object == before_b and a.results.object != before_b
    results = a.results.object
    a.questions[1].value = NO
    assert a.weight > 1 and b.weight == 1.0
    assert a.results.object == results  # a preference changes only the preference pane
    a.other_questions[MINOR].value = "1"
    assert a.other == {MINOR: 1.0} and b.other == dict(MODEL.other_harms) and a.summary.harm_weights[MINOR] == 1.0
    assert a.results.object == results
    a.widgets["age"].value = "<b>"
    assert "(&lt;b&gt;)" in a.messages["age"].object and "<b>" not in a.messages["age"].object
    a.widgets["label"].value = "<img src=x onerror=alert(1)>"
    assert a.profile.label.startswith("<img") and "<img" not in a.handout_document()
    assert a.profile.age == 62
    assert a.token != b.token


def test_page_loads_a_profile_file_and_refuses_a_bad_one(evidence):
    from outcomes.app.form import profile_yaml
    from outcomes.app.page import ClinicPage

    page = ClinicPage(evidence, load_profile())
    seq = page.seq
    page.upload.filename = "bad<script>.yaml"
    page.upload.value = b"label: x\nage: [1, 2]\n"
    assert "field &#x27;age&#x27;" in page.upload_msg.object and "&lt;script&gt;" in page.upload_msg.object
    assert page.profile == load_profile() and page.seq == seq  # nothing changed
    other = load_profile(ROOT / "profiles" / "stable_first_revision.yaml")
    page.upload.filename = "stable.yaml"
    page.upload.value = profile_yaml(other)
    assert page.profile.to_dict() == other.to_dict() and page.seq == seq + 1  # one update for the whole file
    assert page.widgets["prior_surgeries"].value == str(other.prior_surgeries)
    assert "Loaded stable.yaml" in page.upload_msg.object
    assert page._save().getvalue() == profile_yaml(page.profile)


def test_clinician_tab_shows_conflicts_with_trial_data_and_the_voi_summary(tmp_path, capsys):
    import asyncio

    from outcomes.app.engine import load_evidence
    from outcomes.app.page import ClinicPage
    from outcomes.cli import main

    data = tmp_path / "trial.csv"
    data.write_text(  # a fusion improvement far below the prior (96% cited): a prior-data conflict
        "study_id,strategy,outcome,events,total,time_frame,design,citation\n"
        "T,fusion,improved,60,200,2 years,rct,hand-made test data\n"
    )
    post = tmp_path / "posterior.nc"
    assert main(["update", "--data", str(data), "--method", "exact", "--out", str(post), "--draws", "1000"]) == 0
    capsys.readouterr()
    ev = load_evidence(posterior=post, n_draws=DRAWS)
    assert ev.conflict is not None and bool(ev.conflict.set_index("parameter").loc["fusion.improved", "conflict"])
    page = ClinicPage(ev, load_profile())
    page.tabs.active = 1
    shown = page.clinician.object
    assert "Conflicts between the cited priors and the trial data" in shown and "60/200" in shown
    assert "CONFLICT" in shown and "Evidence view: posterior" in shown
    assert "the trials found 60 of 200 (30 in 100)" in shown  # the conflict in plain words
    assert "The seed view beside the numbers shown" in shown  # the cited rates alone, for comparison
    assert "fusion_improved_herkowitz" in shown and "Herkowitz" in shown  # records and their sources
    assert "updated with study data" in page.header.object
    asyncio.run(page._on_voi(None))
    assert "EVPI" in page.voi_pane.object and "EVPPI" in page.voi_pane.object


def test_clinician_tab_sets_the_guideline_summary_beside_the_trials(evidence):
    from outcomes.app.page import ClinicPage
    from outcomes.pipeline import compare
    from outcomes.report.evidence import conflict_sentences

    page = ClinicPage(evidence, load_profile())
    page.tabs.active = 1
    shown = html_text(page.clinician.object)
    assert "Evidence view: trials" in shown and "verified_trials.csv" in shown
    assert "What the guideline summary claims, and what the trials show" in shown
    seed = compare(load_profile(), n_draws=DRAWS, seed=3, prior_only=True).summary
    for st in MODEL.strategies:  # the seed view's numbers are the library's seed view
        assert seed.rate(st, MODEL.benefit).text in shown
    d = compare(load_profile(), n_draws=DRAWS, seed=3)
    for sentence in conflict_sentences(d):
        assert sentence in shown
    assert "updated with the verified trial data" in page.header.object


@pytest.mark.parametrize(
    "args, needle",
    [
        (["--port", "70000"], "allowed: a whole number from 1 to 65535"),
        (["--port", "x"], "--port"),
        (["--profile", "no/such.yaml"], "does not exist"),
        (["--draws", "1"], "--draws"),
    ],
)
def test_app_command_bad_options_one_line_exit_2(args, needle, capsys):
    from outcomes.cli import main

    assert main(["app", *args]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and needle in err[0], err


# --- the page in a real browser ------------------------------------------------------------------------------

from outcomes.app.browser import CHROMIUM, DRIVER  # noqa: E402


def browser_test(f):
    """Slow, and skipped without Chromium (as tests/test_browser.py)."""
    f = pytest.mark.slow(f)
    return pytest.mark.skipif(
        CHROMIUM is None or DRIVER is None,
        reason="Chromium and chromedriver are not installed (Debian: apt-get install chromium chromium-driver)",
    )(f)


@pytest.fixture(scope="module")
def app_url():
    from outcomes.app.browser import AppServer

    with AppServer(["--draws", str(DRAWS), "--seed", "3"]) as url:
        yield url


@pytest.fixture
def page(app_url):
    from outcomes.app import browser as b

    with b.browser(1280, 900) as d:
        d.get(app_url)
        b.wait_ready(d)
        yield d


SHOWN = """
const out = {};
window.ocAll('.oc-option').forEach(o => o.querySelectorAll('li[data-outcome]').forEach(li => {
  out[o.dataset.strategy + '/' + li.dataset.outcome] = li.querySelector('.oc-freq').textContent; }));
window.ocAll('.oc-icons[data-filled]').forEach(e => { out['icons/' + e.dataset.strategy + '/' + e.dataset.outcome] =
  Number(e.dataset.filled); });
return out;
"""


def _expected(profile, weight=1.0, other=None):
    """What the page must show for ``profile``: the library's ``compare`` (and ``summarize`` with the patient's
    other-harm weights) on the same draws and seed."""
    from outcomes.pipeline import compare
    from outcomes.summarize import summarize

    d = compare(profile, n_draws=DRAWS, seed=3, weight=weight)
    s = d.summary if other is None else summarize(d.simulation, weight=weight, other_harms=other)
    icons = (MODEL.benefit, MODEL.harm, *MODEL.other_harms)
    out = {}
    for _, r in s.rates.iterrows():
        if r.outcome in MODEL.patient_outcomes:
            out[f"{r.strategy}/{r.outcome}"] = r.text
        if r.outcome in icons:
            out[f"icons/{r.strategy}/{r.outcome}"] = 0 if 100 * r["mean"] < 1 else min(100, round(100 * r["mean"]))
    return out, s


@browser_test
def test_browser_page_loads_with_the_library_numbers_and_stamps(page):

    shown = page.execute_script(SHOWN)
    expected, s = _expected(load_profile())
    assert shown == expected
    body = page.execute_script("return window.ocAll('.oc-stamp').map(e => e.textContent).join(' ')")
    assert s.evidence_version in body and "Supports, does not replace, clinical judgement" in body
    assert "Time frame: 2 years" in body
    assert "Traceback" not in page.execute_script("return document.documentElement.outerHTML")


@browser_test
def test_browser_earlier_operations_change_the_numbers_to_the_librarys(page):
    from outcomes.app import browser as b

    before = page.execute_script(SHOWN)
    for n in (0, 4):
        r = b.set_field(page, "prior_surgeries", str(n))
        assert "error" not in r, r
        shown = page.execute_script(SHOWN)
        expected, _ = _expected(load_profile().replace(prior_surgeries=n))
        assert shown == expected and shown != before
        assert r["state"]["digest"] == load_profile().replace(prior_surgeries=n).digest()


@browser_test
def test_browser_a_bad_value_shows_its_message_and_nothing_else_changes(page):
    import time

    from outcomes.app import browser as b

    before, state = page.execute_script(SHOWN), b.state(page)
    for raw, needle in (
        ("9", "Not allowed: 9. Allowed: a whole number from 0 to 6"),
        ("<b>", "Not a whole number (<b>)"),
        ("<script>alert(1)</script>" * 40, "Too long (1000 characters)"),
    ):
        page.execute_script(
            "const el = window.ocField('prior_surgeries', 'input')[0]; el.value = arguments[0];"
            "el.dispatchEvent(new Event('change', {bubbles: true}));",
            raw,
        )
        deadline = time.monotonic() + 20
        msg = ""
        while time.monotonic() < deadline and needle not in msg:
            msg = b.text_of(page, ".oc-msg-prior_surgeries") or ""
            time.sleep(0.1)
        assert needle in msg, msg
        assert page.execute_script(SHOWN) == before and b.state(page)["seq"] == state["seq"]
    assert page.execute_script("return window.ocAll('script').filter(e => e.textContent.includes('alert')).length") == 0
    r = b.set_field(page, "prior_surgeries", "1")  # a good value clears the message and updates
    assert "error" not in r and (b.text_of(page, ".oc-msg-prior_surgeries") or "") == ""


@browser_test
def test_browser_preference_questions_move_the_preferred_option(page):
    from outcomes.app import browser as b

    _, s = _expected(load_profile())
    assert len(s.flips) >= 1
    flip = s.flips[0]["weight"]
    # hand-made case: the flip of the seed patient lies between 1 and 2 improvements per harm, so "yes" to
    # trading 1 harm for 1 gain (weight 0.5) and "no" to 2 for 1 (weight > 2) fall on either side of it
    assert 0.5 < flip < 2.0
    r = b.click_answer(page, 1, YES)
    assert "error" not in r and float(r["state"]["weight"]) == 0.5
    fit = page.execute_script("return window.ocOne('.oc-fit').dataset.preferred")
    assert fit == s.flips[0]["from"] == _expected(load_profile(), 0.5)[1].preferred
    b.click_answer(page, 1, NO)
    r = b.click_answer(page, 2, NO)
    assert float(r["state"]["weight"]) == 4.0  # more than 2: twice the bound
    fit = page.execute_script("return window.ocOne('.oc-fit').dataset.preferred")
    assert fit == s.flips[0]["to"] == _expected(load_profile(), 4.0)[1].preferred and fit != s.flips[0]["from"]
    words = b.text_of(page, ".oc-preference-pane")
    assert "What could change this?" in words and "would fit better" in words
    # the minor-harm question: an answer that, at weight 4, moves the preferred option (found from the library)
    by_answer = {a: _expected(load_profile(), 4.0, {MINOR: 1 / n})[1].preferred for a, n in OTHER_ANSWERS.items()}
    moving = [a for a, pref in by_answer.items() if pref != fit]
    assert moving, by_answer  # hand-made case: counting minor harms less at weight 4 favours another option
    now = 1 / MODEL.other_harms[MINOR]  # "Not sure": the model's default relative weight
    nearest = min(moving, key=lambda a: abs(math.log(OTHER_ANSWERS[a] / now)))
    assert f"If {nearest} people with" in words  # the page says which answer would change it
    r = b.click_other_answer(page, 0, nearest)
    assert "error" not in r and float(r["state"]["weight"]) == 4.0
    fit2 = page.execute_script("return window.ocOne('.oc-fit').dataset.preferred")
    assert fit2 == by_answer[nearest] != fit


@browser_test
def test_browser_handout_prints_on_one_page_in_plain_language(page, app_url):
    import base64
    import re

    from outcomes.app import browser as b

    b.set_field(page, "prior_surgeries", "3")
    href = page.execute_script(
        "const t = window.ocAll('.bk-tab').find(e => e.textContent.trim() === 'Handout'); t.click();return null;"
    )
    import time

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not href:
        href = page.execute_script("const a = window.ocOne('a.oc-print'); return a ? a.getAttribute('href') : null;")
        time.sleep(0.2)
    assert href and href.startswith("/handout/")
    page.get(app_url.rstrip("/") + href.split("?")[0])
    text = page.execute_script("return document.body.innerText")
    assert reading_ease(text) >= READING_EASE_MIN, text
    assert "Number of earlier lumbar operations: 3." in text and "Supports, does not replace" in text
    pdf = base64.b64decode(page.print_page())
    assert pdf[:5] == b"%PDF-"
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert pages == 1, f"the handout printed on {pages} pages"
    page.get(app_url.rstrip("/") + "/handout/" + "x" * 32)  # an unknown token shows nothing of anyone
    assert "no longer available" in page.execute_script("return document.body.innerText")


@browser_test
def test_browser_two_sessions_keep_their_own_state(page, app_url):
    from outcomes.app import browser as b

    with b.browser(1000, 800) as other:
        other.get(app_url)
        b.wait_ready(other)
        b.set_field(page, "prior_surgeries", "5")
        b.click_answer(page, 10, NO)
        assert (
            b.state(other)["digest"] == load_profile().digest() and float(b.state(other, "preference")["weight"]) == 1
        )
        assert np.isclose(float(b.state(page, "preference")["weight"]), 20.0)
