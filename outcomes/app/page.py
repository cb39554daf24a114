"""One browser session's page: the patient's form (left), the outcomes (middle), the preferences (right), a
clinician tab and a handout tab.

A ``ClinicPage`` is made per session by the server's factory, so each session has its own profile, answers,
weight and results; the evidence (draws, tables) is shared read-only. A field change recomputes the
profile's simulation and summaries (``engine.ResultCache``: the last few profiles are kept); a preference
change recomputes only the summary at the new weight. The clinician and handout tabs are drawn when shown.

Every callback catches its own errors and shows a message; nothing the patient enters is logged or written.
The middle and right panes carry ``data-seq`` (incremented on every update) for the browser tests and the
benchmark.
"""

from __future__ import annotations

import asyncio
import html
import logging
import secrets
import time
from typing import Any

import panel as pn

from outcomes.app import render
from outcomes.app.engine import Evidence, ProfileResult, ResultCache
from outcomes.app.form import (
    MAX_TEXT,
    NOTES,
    FormField,
    allowed_text,
    apply_form,
    form_fields,
    form_values,
    profile_from_upload,
    profile_yaml,
)
from outcomes.declaration import DecisionModel
from outcomes.errors import InputError
from outcomes.pipeline import MAX_WEIGHT
from outcomes.profile import Profile
from outcomes.summarize import DEFAULT_WEIGHT
from outcomes.wording import (
    ANSWERS,
    OTHER_ANSWERS,
    OTHER_CHOICES,
    TRADES,
    UNSURE,
    harm_means,
    other_harm_flip_words,
    other_harm_meaning,
    other_harm_question,
    relative_from_answer,
    trade_question,
    weight_from_answers,
)

log = logging.getLogger("outcomes.app")

PAGE_CSS = """
:host { --oc-benefit: #2e7d32; --oc-harm: #c62828; font-size: 15px; color: #1d2430; }
h1 { font-size: 1.45em; margin: .1em 0 .15em; }
.oc-h { font-size: 1.12em; margin: .5em 0 .3em; }
h4 { margin: .2em 0 .3em; font-size: 1.02em; }
.oc-meta { margin: 0; color: #333; font-size: .92em; }
.oc-failing { background: #fde8e8; border-left: 5px solid #c62828; padding: .4em .8em; margin: .3em 0; }
.oc-stamp { color: #555; font-size: .8em; margin: .2em 0 .6em; }
.oc-row-title { font-weight: bold; font-size: 1.05em; margin: .35em 0 .15em; }
.oc-icon-row { display: grid; grid-template-columns: repeat(5, minmax(0, 1fr)); gap: .5em; }
.oc-row-words { font-weight: normal; font-size: .85em; color: #444; }
.oc-icon-head { font-weight: 600; font-size: .88em; line-height: 1.15; min-height: 2.3em; }
.oc-icons svg { width: 100%; max-width: 150px; height: auto; display: block; }
.oc-caption { font-size: .82em; line-height: 1.2; margin-top: .15em; }
.oc-na { color: #555; font-style: italic; font-size: .9em; padding: 2em 0; }
.oc-bh { width: 100%; height: auto; display: block; }
.oc-options { display: grid; grid-template-columns: repeat(auto-fit, minmax(190px, 1fr)); gap: .6em; }
.oc-option { border: 1px solid #d7dde5; border-radius: 8px; padding: .3em .7em; }
.oc-option ul { padding-left: 1.1em; margin: .2em 0; } .oc-option li { margin-bottom: .3em; font-size: .92em; }
.oc-benefit { color: var(--oc-benefit); } .oc-harm { color: var(--oc-harm); }
.oc-small { color: #555; font-size: .86em; }
.oc-msg { color: #b00020; font-size: .86em; font-weight: 600; }
.oc-fit { font-size: 1.12em; background: #eef6ee; border-left: 5px solid #2e7d32; padding: .4em .7em; margin: .4em 0; }
.oc-answers.oc-bad { color: #b00020; font-weight: 600; }
.oc-q { font-size: .95em; margin: .5em 0 .1em; }
.oc-list-label { font-size: 14px; }
.oc-table { border-collapse: collapse; width: 100%; font-size: .84em; margin: .3em 0 .8em; }
.oc-table th, .oc-table td { border-bottom: 1px solid #e3e7ec; padding: .2em .4em; text-align: left;
                             vertical-align: top; }
.oc-table th { background: #f3f5f8; }
table.voi { border-collapse: collapse; font-size: .86em; } table.voi td, table.voi th { padding: .2em .5em;
  border-bottom: 1px solid #e3e7ec; text-align: left; }
a.oc-print { display: inline-block; background: #1b6ca8; color: white; padding: .45em 1em; border-radius: 6px;
             text-decoration: none; font-weight: 600; }
iframe.oc-handout { width: 100%; height: 1150px; border: 1px solid #ccd; }
"""

# On a narrow screen (a tablet), the form and the questions side by side, the outcomes below at full width
# (``:host`` rules in each column's own stylesheet: the columns are the flex items)
RIGHT_CSS = "@media (max-width: 1100px) { :host { order: 1; max-width: none !important; } }"
MIDDLE_CSS = "@media (max-width: 1100px) { :host { order: 2; flex: 1 1 100% !important; } }"
WIDGET_CSS = "label { white-space: normal; font-size: 14px; } input, select, textarea { font-size: 15px; }"

HANDOUTS: dict[str, ClinicPage] = {}
"""Live sessions' pages by handout token (in memory only; a session's entry goes when the session ends)."""


def _no_debounce(widget: pn.widgets.Widget) -> None:
    """Handle a browser change at once: Panel waits 50 ms (``Syncable._debounce``) to merge bursts of changes,
    which these widgets do not send (a text field sends on Enter or when it loses focus)."""
    widget._debounce = 0  # type: ignore[misc]  # an instance override of the ClassVar


def _html(text: str = "", **kw: Any) -> pn.pane.HTML:
    return pn.pane.HTML(text, stylesheets=[PAGE_CSS], sizing_mode="stretch_width", **kw)


class ClinicPage:
    """The page and the state of one browser session."""

    def __init__(self, evidence: Evidence, profile: Profile, *, voi: bool = True) -> None:
        self.evidence = evidence
        self.model: DecisionModel = evidence.model
        self.cache = ResultCache(evidence)
        self.profile = profile
        self.weight = DEFAULT_WEIGHT
        self.other: dict[str, float] = dict(self.model.other_harms)
        self.answers: dict[int, str] = dict.fromkeys(TRADES, UNSURE)
        self.other_answers: dict[str, str] = dict.fromkeys(self.model.other_harms, UNSURE)
        self.answers_text, self.answers_ok = (
            self._answers_words(weight_from_answers(self.answers, DEFAULT_WEIGHT, self.model).text),
            True,
        )
        self.result: ProfileResult = self.cache.get(profile)
        self.summary = self.result.at(self.weight, self.other)
        self.seq = 0
        self.last_update_ms = 0.0
        self.token = secrets.token_urlsafe(24)
        self._loading = False
        self._dirty = {"clinician": True, "handout": True}
        self.voi_enabled = voi
        self._build()

    # -- layout -----------------------------------------------------------------------------------------------

    def _answers_words(self, weight_text: str) -> str:
        """The weight's sentence, then what each other harm's weight means."""
        other = " ".join(other_harm_meaning(o, r, self.model) for o, r in self.other.items())
        return f"{weight_text} {other}".strip()

    def _field_widget(self, ff: FormField, value: Any) -> pn.widgets.Widget:
        name, kind, desc = ff.name, ff.kind, ff.desc
        label = desc[0].upper() + desc[1:]
        common = {
            "label": label,
            "sizing_mode": "stretch_width",
            "css_classes": [f"oc-field-{name}"],
            "stylesheets": [WIDGET_CSS],
        }
        f = ff.field
        if f is not None and kind in ("int", "number"):
            return pn.widgets.TextInput(value=value, placeholder=f"{f.min:g} to {f.max:g}", **common)
        if kind == "bool":
            return pn.widgets.Checkbox(value=value, **common)
        if f is not None and kind == "choice":
            levels = list(f.levels) if value in f.levels else ["", *f.levels]
            return pn.widgets.Select(options=levels, value=value if value is not None else "", **common)
        if f is not None and kind == "list":
            opts = {t.replace("_", " "): t for t in f.levels}
            return pn.widgets.CheckBoxGroup(options=opts, value=list(value), inline=False, **common)
        if name == NOTES:
            return pn.widgets.TextAreaInput(value=value, max_length=MAX_TEXT[name], height=70, **common)
        return pn.widgets.TextInput(value=value, max_length=MAX_TEXT.get(name, 200), **common)

    def _build(self) -> None:
        values = form_values(self.profile)
        self.widgets: dict[str, pn.widgets.Widget] = {}
        self.messages: dict[str, pn.pane.HTML] = {}
        form: list[Any] = []
        for name, ff in form_fields(self.model).items():
            w = self._field_widget(ff, values[name])
            w.param.watch(self._on_field, "value")
            _no_debounce(w)
            msg = _html("", css_classes=["oc-msg", f"oc-msg-{name}"], margin=(0, 10))
            self.widgets[name], self.messages[name] = w, msg
            if ff.kind == "list":  # a group of check boxes shows no label of its own
                label = ff.desc[0].upper() + ff.desc[1:]
                form.append(_html(f'<div class="oc-list-label">{html.escape(label)}</div>', margin=(8, 10, 0, 10)))
            form.extend([w, msg])
        self.upload = pn.widgets.FileInput(accept=".yaml,.yml", multiple=False, sizing_mode="stretch_width")
        self.upload.param.watch(self._on_upload, "value")
        self.upload_msg = _html("", css_classes=["oc-msg", "oc-msg-upload"])
        self.download = pn.widgets.FileDownload(
            callback=self._save, filename="patient-profile.yaml", label="Save profile (YAML)", color="primary"
        )
        left = pn.Column(
            _html('<h3 class="oc-h">The patient</h3><p class="oc-small">Load a profile file, or fill in the form.</p>'),
            self.upload,
            self.upload_msg,
            *form,
            self.download,
            styles={"flex": "0 0 280px"},
            width=280,
            css_classes=["oc-left"],
        )
        self.header = _html(render.header_html(self.evidence, self.summary))
        self.results = _html(self._results_html(), css_classes=["oc-results-pane"])
        middle = pn.Column(
            self.results,
            styles={"flex": "1 1 470px"},
            min_width=300,
            sizing_mode="stretch_width",
            css_classes=["oc-middle"],
            stylesheets=[MIDDLE_CSS],
        )

        self.questions: dict[int, pn.widgets.RadioButtonGroup] = {}
        qs: list[Any] = [
            _html(
                '<h3 class="oc-h">What matters to you</h3>'
                f"<p class='oc-small'>{html.escape(harm_means(self.model))} Answer what you can; skip the rest.</p>"
            )
        ]

        def question(text: str, options: Any, css: str) -> pn.widgets.RadioButtonGroup:
            """One preference question: its words, then its answers as buttons (any change re-weighs at once)."""
            q = pn.widgets.RadioButtonGroup(
                options=list(options),
                value=UNSURE,
                color="primary",
                variant="outline",
                css_classes=[css],
                sizing_mode="stretch_width",
            )
            q.param.watch(self._on_answer, "value")
            _no_debounce(q)
            qs.extend([_html(f'<p class="oc-q">{html.escape(text)}</p>', margin=(4, 10, 0, 10)), q])
            return q

        for n in TRADES:
            self.questions[n] = question(trade_question(n, self.model), ANSWERS, f"oc-q-{n}")
        self.other_questions: dict[str, pn.widgets.RadioButtonGroup] = {}
        for i, o in enumerate(self.model.other_harms):
            self.other_questions[o] = question(other_harm_question(o, self.model), OTHER_CHOICES, f"oc-other-{i}")
        self.preference = _html(self._preference_html(), css_classes=["oc-preference-pane"])
        right = pn.Column(
            *qs,
            self.preference,
            styles={"flex": "1 1 290px", "max-width": "440px"},
            min_width=260,
            css_classes=["oc-right"],
            stylesheets=[RIGHT_CSS],
        )

        self.clinician = _html("", css_classes=["oc-clinician-pane"])
        self.voi_button = pn.widgets.Button(label="Compute the value-of-information summary", color="default")
        self.voi_button.on_click(self._on_voi)
        self.voi_pane = _html(
            "<p class='oc-small'>Which inputs' uncertainty matters most for this patient (EVPI and EVPPI per 100 "
            "patients; takes a few seconds).</p>"
        )
        self.handout = _html("", css_classes=["oc-handout-pane"])
        clinician_tab = pn.Column(
            self.clinician,
            _html("<h3>Value of information</h3>"),
            self.voi_button,
            self.voi_pane,
            sizing_mode="stretch_width",
        )
        if not self.voi_enabled:
            clinician_tab = pn.Column(self.clinician, sizing_mode="stretch_width")
        self.tabs = pn.Tabs(
            (
                "Decision aid",
                pn.FlexBox(
                    left, middle, right, flex_wrap="wrap", align_items="flex-start", sizing_mode="stretch_width"
                ),
            ),
            ("For the clinician", clinician_tab),
            ("Handout", self.handout),
            dynamic=False,
            sizing_mode="stretch_width",
        )
        self.tabs.param.watch(self._on_tab, "active")
        self.layout = pn.Column(self.header, self.tabs, sizing_mode="stretch_width")

    # -- html pieces --------------------------------------------------------------------------------------------

    def _marker(self, kind: str) -> str:
        return (
            f'<div class="oc-state" data-kind="{kind}" data-seq="{self.seq}" data-digest="{self.profile.digest()}" '
            f'data-weight="{self.weight:.6g}" data-ms="{self.last_update_ms:.1f}" hidden></div>'
        )

    def _results_html(self) -> str:
        strategies = list(self.result.strategies)
        return (
            self._marker("results")
            + render.icon_arrays_html(self.summary, strategies)
            + render.benefit_harm_svg(self.summary, strategies)
            + render.numbers_html(self.summary)
        )

    def _other_flip(self) -> str:
        """What another answer to each other-harm question would change (the other weights as they are)."""
        by: dict[str, dict[str, str]] = {}
        for o in self.other:
            by[o] = {
                a: self.result.at(self.weight, {**self.other, o: relative_from_answer(a, 0.0)}).preferred
                for a in OTHER_ANSWERS
                if a != self.other_answers.get(o)
            }
        return other_harm_flip_words(self.summary, by, self.other)

    def _preference_html(self) -> str:
        return self._marker("preference") + render.preference_html(
            self.summary, self.answers_text, self.answers_ok, self._other_flip()
        )

    def handout_document(self, *, auto_print: bool = False) -> str:
        return render.handout_html(
            self.evidence,
            self.summary,
            self.profile,
            self.answers_text,
            auto_print=auto_print,
            answers_ok=self.answers_ok,
        )

    def _handout_tab_html(self) -> str:
        doc = self.handout_document()
        return (
            f'<p><a class="oc-print" href="/handout/{self.token}?print=1" target="_blank" rel="noopener">'
            "Open the handout to print</a> <span class='oc-small'>(one page; opens the print dialog)</span></p>"
            f'<iframe class="oc-handout" title="Patient handout" srcdoc="{html.escape(doc, quote=True)}"></iframe>'
        )

    # -- updates ------------------------------------------------------------------------------------------------

    def _refresh(self, *, results: bool) -> None:
        self.seq += 1
        self._dirty = {"clinician": True, "handout": True}
        with pn.io.hold():
            if results:
                self.results.object = self._results_html()
            self.preference.object = self._preference_html()
            self._draw_visible_tab()

    def _draw_visible_tab(self) -> None:
        active = self.tabs.active
        if active == 1 and self._dirty["clinician"]:
            self.clinician.object = render.clinician_html(self.evidence, self.summary, self.profile)
            self._dirty["clinician"] = False
        elif active == 2 and self._dirty["handout"]:
            self.handout.object = self._handout_tab_html()
            self._dirty["handout"] = False

    def _fail(self, where: pn.pane.HTML, exc: BaseException) -> None:
        # the value is not logged: only that something failed, and where
        log.error("update failed (%s) in %s", type(exc).__name__, where.css_classes)
        where.object = '<div class="oc-msg">This value could not be used; the page kept the last valid numbers.</div>'

    def set_profile(self, profile: Profile) -> None:
        t0 = time.perf_counter()
        self.profile = profile
        self.result = self.cache.get(profile)
        self.summary = self.result.at(self.weight, self.other)
        self.last_update_ms = 1000 * (time.perf_counter() - t0)
        self._refresh(results=True)

    def _on_field(self, event: Any) -> None:
        if self._loading:
            return
        try:
            values = {name: w.value for name, w in self.widgets.items()}
            profile, messages = apply_form(values, self.profile)
            for name, pane in self.messages.items():
                text = f'<div class="oc-msg">{html.escape(messages[name])}</div>' if name in messages else ""
                if pane.object != text:
                    pane.object = text
            if profile != self.profile:
                self.set_profile(profile)
        except Exception as exc:  # never a traceback on the page
            owner = next((n for n, w in self.widgets.items() if w is event.obj), None)
            self._fail(self.messages[owner] if owner else self.upload_msg, exc)

    def _on_upload(self, event: Any) -> None:
        try:
            profile = profile_from_upload(self.upload.value, self.upload.filename, self.model)
        except InputError as err:
            lines = "<br>".join(html.escape(str(p)) for p in err.problems)
            self.upload_msg.object = f'<div class="oc-msg">{lines}</div>'
            return
        except Exception as exc:
            self._fail(self.upload_msg, exc)
            return
        self._loading = True
        try:
            for name, v in form_values(profile).items():
                self.widgets[name].value = v
                self.messages[name].object = ""
        finally:
            self._loading = False
        self.upload_msg.object = html.escape(f"Loaded {self.upload.filename or 'the file'}.")
        self.set_profile(profile)

    def _save(self) -> Any:
        import io

        return io.BytesIO(profile_yaml(self.profile))

    def _on_answer(self, event: Any) -> None:
        try:
            answers = {}
            for n, q in self.questions.items():
                if q.value not in ANSWERS:
                    raise ValueError("answer not allowed")
                answers[n] = q.value
            other_answers, other = {}, {}
            for o, q in self.other_questions.items():
                if q.value not in OTHER_CHOICES:
                    raise ValueError("answer not allowed")
                other_answers[o] = q.value
                other[o] = relative_from_answer(q.value, self.model.other_harms[o])
            res = weight_from_answers(answers, DEFAULT_WEIGHT, self.model)
            self.answers, self.other_answers, self.other = answers, other_answers, other
            self.answers_text = self._answers_words(res.text)
            self.answers_ok = res.weight is not None
            t0 = time.perf_counter()
            if res.weight is not None:
                self.weight = min(float(res.weight), MAX_WEIGHT)
            self.summary = self.result.at(self.weight, self.other)
            self.last_update_ms = 1000 * (time.perf_counter() - t0)
            self._refresh(results=False)
        except Exception as exc:
            self._fail(self.preference, exc)

    def _on_tab(self, event: Any) -> None:
        try:
            self._draw_visible_tab()
        except Exception as exc:
            self._fail(self.clinician if self.tabs.active == 1 else self.handout, exc)

    async def _on_voi(self, event: Any) -> None:
        self.voi_button.disabled = True
        self.voi_pane.object = "<p>Computing the value of information...</p>"
        try:
            from outcomes.voi.analysis import report_section

            decision = self.result.decision(self.weight, self.other)
            section = await asyncio.to_thread(report_section, decision)
            self.voi_pane.object = (
                f"<p class='oc-small'>For the profile and weight shown when the button was pressed "
                f"(weight {self.weight:.3g}).</p>" + section["html"]
            )
        except Exception as exc:
            self._fail(self.voi_pane, exc)
        finally:
            self.voi_button.disabled = False

    def __panel__(self) -> pn.viewable.Viewable:
        return self.layout


def allowed_values(model: DecisionModel) -> dict[str, str]:
    """Every field's allowed values in words (for the README and tests)."""
    return {name: allowed_text(name, model) for name in form_fields(model)}
