"""Patient wording: every sentence a patient reads, in one place (the report, the clinic page and the handout).

Plain language (a Flesch reading ease of 60 or more, measured by the tests), one denominator (out of 100) and one
time frame throughout. Importable without Jinja2 or matplotlib. The functions take a decision summary (anything
with ``rate(strategy, outcome)``, ``weight``, ``preferred``, ``prob_best_at_weight`` and ``flips``: the library's
``DecisionSummary`` or the clinic page's live summary).

Also here: the natural-frequency texts ("31 of 100, plausibly 22 to 41"), the width of a range in words, the
preference questions and how their answers set the weight (how many people much better one person harmed
weighs as much as), and where the preferred option changes, in words for the patient and for the clinician.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from outcomes.model import APPLICABLE, SHORT_LABELS, STRATEGY_LABELS, TIME_FRAME_TEXT
from outcomes.registry import STRATEGIES

DENOMINATOR = 100
"""Every number a patient sees counts people out of this many."""

DISCLAIMER = "Supports, does not replace, clinical judgement."

PATIENT_OUTCOMES = ("improved", "harm", "improved_without_harm", "harm_without_improvement")
"""The outcomes the patient part lists for every option (where they apply)."""

PLAIN_OUTCOME_WORDS = {
    "improved": "much better",
    "complication": "a complication or troublesome side effect",
    "harm": "harmed (a complication, side effect or worse weakness)",
    "improved_without_harm": "better, with no harm",
    "harm_without_improvement": "harmed, and not better",
    "solid_fusion": "bones fused solidly",
    "reoperation": "another operation",
    "later_instability": "the spine became unstable and needed fusion",
    "neuropathic": "nerve-type pain",
    "deficit_progression": "weakness got worse, or a fall caused injury",
}
"""What an outcome means, in words a patient uses (icon-array captions)."""

PLAIN_OUTCOME_TITLES = {
    "improved": "Much better",
    "complication": "Complication or side effect",
    "harm": "Any harm",
    "improved_without_harm": "Better, with no harm",
    "harm_without_improvement": "Harmed, and not better",
    "solid_fusion": "Bones fused solidly",
    "reoperation": "Another operation",
    "later_instability": "Later instability needing fusion",
    "neuropathic": "Nerve-type pain",
    "deficit_progression": "Worse weakness or injurious fall",
}

HARM_MEANS = "Harm here means a problem from surgery, a side effect of the pills, or weakness that gets worse."

INTRO = (
    "Think of 100 people with the same back problem as you. Here is what we expect for each choice "
    f"{TIME_FRAME_TEXT}. Every number is out of the same 100 people. The ranges show how sure we are."
)

NOT_ONE_PERSON = (
    "These numbers are about groups of people like you. They come from past studies and stated guesses. "
    "They cannot say what will happen to one person. Talk them through with your care team."
)


class SummaryLike(Protocol):
    """What the wording needs from a decision summary."""

    @property
    def weight(self) -> float: ...
    @property
    def preferred(self) -> str: ...
    @property
    def prob_best_at_weight(self) -> dict[str, float]: ...
    @property
    def flips(self) -> list[dict]: ...

    def rate(self, strategy: str, outcome: str) -> Any: ...


# --- numbers in words ------------------------------------------------------------------------------------


def per100(x: float) -> int:
    """A rate as whole people out of 100."""
    return round(DENOMINATOR * x)


def uncertainty_words(low: float, high: float) -> str:
    """The width of a 90% interval (in people out of 100) in words."""
    width = DENOMINATOR * (high - low)
    if width <= 10:
        return "fairly certain"
    if width <= 25:
        return "uncertain"
    if width <= 45:
        return "very uncertain"
    return "extremely uncertain"


def frequency_text(mean: float, low: float, high: float) -> str:
    """'31 of 100, plausibly 22 to 41' (or 'fewer than 1 of 100')."""
    m, lo, hi = per100(mean), per100(low), per100(high)
    if DENOMINATOR * mean < 1:
        head = "fewer than 1 of 100"
    else:
        head = f"{m} of 100"
    if lo == hi:
        return head
    lo_txt = "fewer than 1" if DENOMINATOR * low < 1 else f"{lo}"
    return f"{head}, plausibly {lo_txt} to {hi}"


def _people(n: float) -> str:
    """'1 person' / '2 people' / '1.5 people' (one decimal at most)."""
    txt = f"{n:.1f}".rstrip("0").rstrip(".")
    return f"{txt} person" if txt == "1" else f"{txt} people"


# --- the patient's part ----------------------------------------------------------------------------------


def patient_lines(summary: SummaryLike) -> list[dict]:
    """One block per strategy in plain words, same denominator and time frame for all."""
    out = []
    for s in STRATEGIES:
        items = []
        for o in PATIENT_OUTCOMES:
            if o not in APPLICABLE[s]:
                continue
            r = summary.rate(s, o)
            items.append(
                {
                    "outcome": o,
                    "label": PLAIN_OUTCOME_TITLES[o],
                    "text": r.text,
                    "certainty": r.certainty,
                    "kind": "benefit" if o.startswith("improved") else "harm",
                }
            )
        out.append({"strategy": s, "name": STRATEGY_LABELS[s], "short": SHORT_LABELS[s], "items": items})
    return out


def weight_meaning(weight: float) -> str:
    """'1 person harmed counts as much as 2 people much better.'"""
    return f"1 person harmed counts as much as {_people(weight)} much better."


def weight_words(summary: SummaryLike) -> str:
    """Which option fits the weight, and how sure that is, in plain words."""
    best = summary.preferred
    chance = round(DENOMINATOR * summary.prob_best_at_weight[best])
    return (
        f"Say {weight_meaning(summary.weight)} Then {SHORT_LABELS[best].lower()} gives the best mix of gain and "
        f"harm on average. How sure is this? It comes out best in {chance} of 100 likely versions of the facts."
    )


def patient_flip_words(summary: SummaryLike) -> str:
    """What would change the option that fits best, in words (the nearest flip weights on either side)."""
    w, best = summary.weight, summary.preferred
    flips = sorted(summary.flips, key=lambda f: f["weight"])
    above = [f for f in flips if f["weight"] > w]
    below = [f for f in flips if f["weight"] <= w]
    parts = []
    if above:
        f = above[0]
        parts.append(
            f"If 1 person harmed weighed as much as {_people(f['weight'])} much better or more, "
            f"{SHORT_LABELS[f['to']].lower()} would fit better."
        )
    if below:
        f = below[-1]
        parts.append(
            f"If 1 person harmed weighed less than {_people(f['weight'])} much better, "
            f"{SHORT_LABELS[f['from']].lower()} would fit better."
        )
    if not parts:
        return f"{SHORT_LABELS[best]} fits best however you weigh harm against gain (for weights up to 5)."
    return "What could change this? " + " ".join(parts)


def flip_text(flips: Sequence[Mapping[str, Any]], preferred: str, w_max: float) -> str:
    """Where the preferred strategy changes, in words (clinician wording; ``DecisionSummary.flip_text``)."""
    if not flips:
        return f"{SHORT_LABELS[preferred]} has the best expected net outcome at every weight from 0 to {w_max:g}."
    first = flips[0]
    parts = [
        f"{SHORT_LABELS[first['from']]} is best on average while one harm counts for less than "
        f"{first['weight']:.2f} improvements"
    ]
    for f, nxt in zip(flips, [*flips[1:], None], strict=True):
        upper = f" up to {nxt['weight']:.2f}" if nxt else ""
        parts.append(f"{SHORT_LABELS[f['to']].lower()} from {f['weight']:.2f}{upper}")
    return "; ".join(parts) + "."


def icon_caption(row: Mapping[str, Any], outcome: str) -> str:
    """'About 81 of 100 people like you: much better (plausibly 37 to 100)' (an icon array's caption)."""
    words = PLAIN_OUTCOME_WORDS.get(outcome, str(row.get("label", outcome)).lower())
    mean, low, high = float(row["mean"]), float(row["low"]), float(row["high"])
    if DENOMINATOR * mean < 1:
        head = f"Fewer than 1 in {DENOMINATOR} people like you: {words}"
    else:
        head = f"About {min(DENOMINATOR, per100(mean))} of {DENOMINATOR} people like you: {words}"

    def count(n: float) -> str:
        return "fewer than 1" if DENOMINATOR * n < 1 else f"{per100(n)}"

    lo_txt, hi_txt = count(low), count(high)
    if lo_txt == hi_txt:
        return head
    return f"{head} (plausibly {lo_txt} to {hi_txt})"


def profile_words(profile: Any) -> list[str]:
    """The profile in plain words for the patient (one short fact per line)."""

    def yes(b: bool) -> str:
        return "yes" if b else "no"

    return [
        f"Age: {profile.age}",
        f"Earlier back operations: {profile.prior_surgeries}",
        f"Spine known to be unstable: {yes(profile.instability)}",
        f"Leg weakness getting worse: {yes(profile.progressive_deficit)}; falls: {profile.falls}",
        f"Pain in both legs: {yes(profile.bilateral_radicular)}",
        f"Nerve-type pain: {profile.neuropathic_features}",
        f"Months of other care that did not help: {profile.conservative_care_months}",
        f"Smoker: {yes(profile.smoker)}; diabetes: {yes(profile.diabetes)}",
    ]


# --- readability ----------------------------------------------------------------------------------------

READING_EASE_MIN = 60.0
"""Patient text must reach at least this Flesch reading ease."""


def reading_ease(text: str) -> float:
    """Flesch reading ease of English ``text``: textstat's formula, constants, sentence and word counts, with
    syllables from textstat's Pyphen path for every word.

    (textstat's default English path looks words up in NLTK's CMU dictionary, which it downloads on first use;
    a clinic machine or CI without that download would fail, and a downloaded copy would change the score
    from one machine to the next. Pyphen ships its hyphenation dictionaries, so this score is the same
    everywhere.)
    """
    from textstat.backend.counts._count_words import count_words
    from textstat.backend.metrics._words_per_sentence import words_per_sentence
    from textstat.backend.selections._list_words import list_words
    from textstat.backend.utils._get_lang_cfg import get_lang_cfg
    from textstat.backend.utils._get_pyphen import get_pyphen

    lang = "en_US"
    n_words = count_words(text)
    if not n_words:
        return 0.0
    pyphen = get_pyphen(lang)
    syllables = sum(len(pyphen.positions(w)) + 1 for w in list_words(text, lowercase=True))
    return float(
        get_lang_cfg("en", "fre_base")
        - get_lang_cfg("en", "fre_sentence_length") * words_per_sentence(text)
        - get_lang_cfg("en", "fre_syll_per_word") * syllables / n_words
    )


def html_text(html: str) -> str:
    """The visible text of an HTML fragment (no style or script), one line per block, for measuring."""
    from html.parser import HTMLParser

    blocks = {"p", "li", "h1", "h2", "h3", "h4", "div", "section", "header", "footer", "tr", "br", "td", "th"}

    class _Text(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.out: list[str] = []
            self.skip = 0

        def handle_starttag(self, tag: str, attrs: list) -> None:
            if tag in ("style", "script", "title"):
                self.skip += 1
            elif tag in blocks:
                self.out.append("\n")

        def handle_endtag(self, tag: str) -> None:
            if tag in ("style", "script", "title"):
                self.skip -= 1
            elif tag in blocks:
                self.out.append("\n")

        def handle_data(self, data: str) -> None:
            if not self.skip:
                self.out.append(data)

    p = _Text()
    p.feed(html)
    p.close()
    lines = (" ".join(line.split()) for line in "".join(p.out).splitlines())
    return "\n".join(line for line in lines if line)


# --- preference questions --------------------------------------------------------------------------------

TRADES: tuple[int, ...] = (1, 2, 5, 10)
"""Each question offers 1 more person harmed in exchange for this many more people much better."""

YES, NO, UNSURE = "Yes", "No", "Not sure"
ANSWERS = (YES, NO, UNSURE)


def trade_question(n: int) -> str:
    """'Would you accept 1 more person in 100 being harmed to get 5 more people in 100 much better?'"""
    who = "person" if n == 1 else "people"
    return f"Would you accept 1 more person in 100 being harmed to get {n} more {who} in 100 much better?"


@dataclass(frozen=True)
class WeightFromAnswers:
    """The weight the answers give (``None`` if they contradict each other), its bounds and a sentence."""

    weight: float | None
    low: float
    high: float
    text: str
    answered: int


def weight_from_answers(answers: Mapping[int, str], default: float) -> WeightFromAnswers:
    """Yes to trade n means the weight is at most n (n gains make up for 1 harm); No means it is more than n.

    The weight is a point inside the bounds the answers leave: the geometric mean of two finite bounds, half the
    upper bound when only an upper bound is known, twice the lower bound when only a lower bound is known. No
    answers give ``default``; answers that contradict each other give ``weight=None`` and say which ones.
    """
    for n, a in answers.items():
        if n not in TRADES or a not in ANSWERS:
            raise ValueError(f"answer {a!r} to trade {n!r}; allowed: trades {TRADES} with answers {ANSWERS}")
    yes = [n for n in TRADES if answers.get(n) == YES]
    no = [n for n in TRADES if answers.get(n) == NO]
    low = float(max(no)) if no else 0.0
    high = float(min(yes)) if yes else math.inf
    if not yes and not no:
        return WeightFromAnswers(
            default,
            low,
            high,
            f"No answers yet. For now, {weight_meaning(default)}",
            0,
        )
    if low >= high:
        return WeightFromAnswers(
            None,
            low,
            high,
            f"These answers do not fit together: yes to {_people(high)}, but no to {_people(low)}. "
            "Please look at them again.",
            len(yes) + len(no),
        )
    if low == 0.0:
        w = high / 2
    elif math.isinf(high):
        w = 2 * low
    else:
        w = math.sqrt(low * high)
    return WeightFromAnswers(float(w), low, high, f"Your answers mean: {weight_meaning(w)}", len(yes) + len(no))


__all__ = [
    "ANSWERS",
    "DENOMINATOR",
    "DISCLAIMER",
    "HARM_MEANS",
    "INTRO",
    "NOT_ONE_PERSON",
    "PATIENT_OUTCOMES",
    "PLAIN_OUTCOME_TITLES",
    "PLAIN_OUTCOME_WORDS",
    "READING_EASE_MIN",
    "TRADES",
    "WeightFromAnswers",
    "flip_text",
    "frequency_text",
    "html_text",
    "icon_caption",
    "patient_flip_words",
    "patient_lines",
    "per100",
    "profile_words",
    "reading_ease",
    "trade_question",
    "uncertainty_words",
    "weight_from_answers",
    "weight_meaning",
    "weight_words",
]
