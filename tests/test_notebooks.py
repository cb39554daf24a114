"""The notebooks (GitHub issue 6): committed clean, and every one runs headless.

Every ``notebooks/*.ipynb`` is executed with papermill (kernel ``python3``) into a temporary folder, with
``notebooks/`` as working directory and small parameters: those of ``SMALL`` that the notebook's ``parameters``
cell declares. A run passes when no cell raises, the notebook shows at least one figure, and the outputs
hold what that notebook is for (``EXPECTED``). The shared-decision notebook is also run on another profile,
whose label and numbers must replace the default ones. A static check (not slow) makes sure every committed
notebook has no outputs and no execution counts, a ``parameters``-tagged cell, the python3 kernelspec and an
opening markdown cell saying that results support, not replace, clinical judgement.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from outcomes.declaration import default_model

MODEL = default_model()
STRATEGIES, OUTCOMES, PARAMETERS = tuple(MODEL.strategies), tuple(MODEL.outcomes), MODEL.parameters
APPLICABLE, BENEFITS, HARMS = MODEL.applicable, MODEL.benefits, MODEL.harms


ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}
SMALL = {"n_draws": 300, "mcmc_draws": 2000, "controls": False, "formats": ["png"]}  # 2000: the update default (R-hat)
"""Parameters that keep a run short; each notebook gets the ones it declares."""

DRAWS = SMALL["n_draws"]


@pytest.fixture(autouse=True)
def _kernel_chooses_its_backend(monkeypatch):
    """A kernel started with MPLBACKEND=Agg in its environment (CI, or an earlier test) would show no figures."""
    monkeypatch.delenv("MPLBACKEND", raising=False)


def _ids(paths):
    return [p.stem for p in paths]


def run_notebook(name: str, out: Path, **parameters) -> nbformat.NotebookNode:
    """Execute ``notebooks/<name>`` headless into ``out`` and return the executed notebook."""
    import papermill as pm

    path = NOTEBOOK_DIR / name
    declared = pm.inspect_notebook(str(path))
    params = {k: v for k, v in {**SMALL, **parameters}.items() if k in declared}
    missing = set(parameters) - set(declared)
    assert not missing, f"{name} does not declare the parameters {sorted(missing)}"
    pm.execute_notebook(
        str(path),
        str(out),
        parameters=params,
        kernel_name="python3",
        cwd=str(NOTEBOOK_DIR),
        progress_bar=False,
        log_output=False,
        execution_timeout=600,
    )
    return nbformat.read(out, as_version=4)


def outputs(nb: nbformat.NotebookNode) -> tuple[str, int, str]:
    """(all text shown: streams, plain text, markdown, HTML), number of images, stderr text."""
    texts, stderr, images = [], [], 0
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.output_type == "stream":
                (stderr if out.name == "stderr" else texts).append(out.text)
            elif out.output_type == "error":
                texts.append(f"{out.ename}: {out.evalue}")
            else:
                data = out.get("data", {})
                images += sum(key.startswith("image/") for key in data)
                texts += [data[k] for k in ("text/plain", "text/markdown", "text/html") if k in data]
    return "\n".join(texts), images, "\n".join(stderr)


def _patient_texts(summary) -> list[str]:

    return [summary.rate(s, o).text for s in STRATEGIES for o in ("improved", "harm")]


def _expected_01() -> list[str]:
    from outcomes.pipeline import decide

    s = decide(None, n_draws=DRAWS, seed=0).summary
    return [s.provenance.line(), s.flip_text(), "Interactive controls off", *_patient_texts(s)]


def _expected_02() -> list[str]:
    from outcomes.elicit import elicit
    from outcomes.registry import load_registry

    reg = load_registry()
    record = "fusion_solid_guideline"
    capped, uncapped = elicit(reg).records[record], elicit(reg, cap_scale=None).records[record]
    return [
        f"Evidence version {reg.version}",
        f"Beta({uncapped.alpha:.3g}, {uncapped.beta:.3g})",
        f"Beta({capped.alpha:.3g}, {capped.beta:.3g})",
        f"Evidence version: {reg.version} (shipped)  ->  ev-",
        "fusion_reoperation_local_audit",
        "InputError with",
        "field 'outcome'",
        "field 'point'",
        "robust prior 0.",
        "the seed kept weight",
    ]


def _expected_03() -> list[str]:
    return [
        "REAL, CITED COUNTS",
        "method exact",
        "Method mcmc",
        "ess_bulk",
        "r_hat",
        "no divergences): ok",
        "Prior-data conflict:",
        "posterior draws: 300 x",
        "prior draws: 300 x",
        "With the study data: preferred",
    ]


def _expected_04() -> list[str]:
    return [
        "seed_patient",
        "no_instability",
        "neuropathic_yes",
        "neuropathic_no",
        "one_prior_surgery",
        "Wrote 15 files",
    ]


def _expected_05() -> list[str]:
    """The typed results' scalars, computed again here from the same draws (the notebook's weight 1, seed 0)."""
    from outcomes.pipeline import compare
    from outcomes.voi import core, regression
    from outcomes.wording import DISCLAIMER

    d = compare(None, n_draws=DRAWS, seed=0, n_patients=1)
    model = core.NetBenefitModel.from_draws(d.draws, d.profile.covariates(), d.priors)
    evpi = regression.evpi(model.nb(1.0))
    return [
        f"knowing every input (EVPI) is worth {evpi.value:.2f} (± {evpi.se:.2f})",
        core.tornado(model, 1.0, names=[]).heading(),
        DISCLAIMER,
    ]


def _expected_06() -> list[str]:
    from outcomes.registry import load_registry

    reg = load_registry()
    m = reg.model
    return [
        "500 patients in",
        f"evidence version {reg.version}",
        "Share of patients for whom each option has the best expected net outcome",
        m.fields["prior_surgeries"].plain,
        f"{m.short_label('fusion')} over {m.short_label('decompression').lower()}, per 100:",
        "EVPI per 100: median",
        *[m.short_label(s) for s in m.strategies],
    ]


EXPECTED = {
    "01_shared_decision": (_expected_01, 3),
    "02_evidence_and_priors": (_expected_02, 2),
    "03_update_with_data": (_expected_03, 4),
    "04_outcome_charts": (_expected_04, 5),
    "05_value_of_information": (_expected_05, 4),
    "06_cohort": (_expected_06, 3),
}
"""Per notebook: texts its outputs must hold, and the least number of images."""


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_committed_notebook_is_clean(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert dict(nb.metadata.get("kernelspec", {})) == KERNELSPEC
    first = nb.cells[0]
    assert first.cell_type == "markdown"
    opening = " ".join(first.source.lower().split())
    assert "support" in opening and "clinical judgement" in opening, (
        "the first cell must say that results support, not replace, clinical judgement"
    )
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and tagged[0].cell_type == "code"
    assert not any("injected-parameters" in c.metadata.get("tags", []) for c in nb.cells)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], f"committed with outputs: {cell.source[:60]!r}"
            assert cell.execution_count is None, f"committed with an execution count: {cell.source[:60]!r}"


def test_notebooks_are_there():
    names = {p.stem for p in NOTEBOOKS}
    assert set(EXPECTED) <= names


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_runs_headless(path, tmp_path):
    extra = {
        "04_outcome_charts": {"out_dir": str(tmp_path / "charts")},
        "03_update_with_data": {"posterior_path": str(tmp_path / "posterior.nc")},
        "06_cohort": {"n_patients": 500, "out_dir": str(tmp_path / "cohort")},
    }.get(path.stem, {})
    nb = run_notebook(path.name, tmp_path / path.name, **extra)
    text, images, stderr = outputs(nb)
    expected, min_images = EXPECTED.get(path.stem, (list, 1))
    assert images >= min_images, f"{path.name} shows {images} images, expected at least {min_images}"
    assert "Traceback" not in stderr, stderr
    missing = [t for t in expected() if t not in text]
    assert not missing, f"{path.name} outputs lack {missing}"
    if path.stem == "04_outcome_charts":
        charts = tmp_path / "charts"
        assert (charts / "comparison.csv").is_file()
        for variant in ("seed_patient", "no_instability", "neuropathic_yes", "neuropathic_no", "one_prior_surgery"):
            for chart in ("icon_arrays", "benefit_harm", "preference_curve"):
                png = charts / variant / f"{chart}.png"
                assert png.is_file() and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
            assert not list((charts / variant).glob("*.svg"))  # formats = ["png"] was passed
    if path.stem == "06_cohort":
        assert (tmp_path / "cohort" / "result.parquet").is_dir()
        assert (tmp_path / "cohort" / "result_summary.csv").is_file()
    if path.stem == "03_update_with_data":
        assert (tmp_path / "posterior.nc").is_file()


@pytest.mark.slow
def test_shared_decision_follows_the_profile_parameter(tmp_path):
    from outcomes.pipeline import decide
    from outcomes.profile import load_profile

    other_file = ROOT / "profiles" / "stable_first_revision.yaml"
    nb = run_notebook(
        "01_shared_decision.ipynb", tmp_path / "01_other.ipynb", profile_path="../profiles/stable_first_revision.yaml"
    )
    text, images, _ = outputs(nb)
    other, default = load_profile(other_file), load_profile()
    assert other.label != default.label
    assert other.label in text and default.label not in text
    mine = decide(other_file, n_draws=DRAWS, seed=0).summary
    seed_patient = decide(None, n_draws=DRAWS, seed=0).summary
    assert _patient_texts(mine) != _patient_texts(seed_patient)  # the numbers differ between the profiles ...
    missing = [t for t in [*_patient_texts(mine), mine.flip_text()] if t not in text]
    assert not missing, f"the other profile's numbers are missing: {missing}"  # ... and the notebook shows its own
    assert images >= 3
