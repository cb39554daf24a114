"""Patient wording: every sentence a patient reads, in one place (the report, the clinic page and the handout).

Plain language (a Flesch reading ease of 60 or more, measured by the tests), one denominator (out of 100) and one
time frame throughout. Importable without Jinja2 or matplotlib. Every word about an option or an outcome comes from
the decision model (``summary.model``: its short labels, titles and plain words); no outcome or strategy is named
here. The functions take a decision summary: anything with ``model``, ``rate(strategy, outcome)``, ``weight``,
``harm_weights``, ``preferred``, ``prob_best_at_weight`` and ``flips`` (the library's ``DecisionSummary`` or the
clinic page's live summary).

Also here: the natural-frequency texts (``outcomes.summarize``'s), the preference questions and how their answers
set the weights (how many people much better one person seriously harmed weighs as much as; how many people with a
minor harm weigh as much as one person seriously harmed), and where the preferred option changes, in words.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from outcomes.declaration import BENEFIT, HARM, DecisionModel
from outcomes.model import DENOMINATOR
from outcomes.summarize import frequency_text, per100, uncertainty_words

DISCLAIMER = "Supports, does not replace, clinical judgement."

NOT_ONE_PERSON = (
    "These numbers are about groups of people like you. They come from past studies and stated guesses. "
    "They cannot say what will happen to one person. Talk them through with your care team."
)


def intro(model: DecisionModel) -> str:
    """The patient part's first paragraph: one denominator, one time frame."""
    return (
        "Think of 100 people with the same health problem as you. Here is what we expect for each choice "
        f"{model.time_frame_text}. Every number is out of the same 100 people. The ranges show how sure we are."
    )


def short_plain(model: DecisionModel, outcome: str) -> str:
    """An outcome's plain words without their explanation in brackets ('seriously harmed')."""
    return model.outcome_plain(outcome).split(" (")[0].strip()


def weighed_harms(model: DecisionModel) -> tuple[str, ...]:
    """The harms the decision weighs: its main harm, then the others (in declaration order)."""
    return (model.harm, *model.other_harms)


def explained(model: DecisionModel, outcome: str) -> str:
    """What an outcome means: the words in brackets of its plain words, else its plain words."""
    plain = model.outcome_plain(outcome)
    if "(" in plain and plain.rstrip().endswith(")"):
        return plain[plain.index("(") + 1 : plain.rstrip().rindex(")")].strip()
    return plain


def row_title(model: DecisionModel, outcome: str) -> str:
    """An icon grid's row title: the outcome's title, with what it means when that says more ('Serious harm (a
    dangerous complication, ...)')."""
    title, words = model.outcome_title(outcome), explained(model, outcome)
    return title if words.lower() == title.lower() else f"{title} ({words})"


def harm_means(model: DecisionModel) -> str:
    """What each weighed harm means, one short sentence each ('Serious harm means a dangerous complication...')."""
    return " ".join(f"{model.outcome_title(o)} means {explained(model, o)}." for o in weighed_harms(model))


class SummaryLike(Protocol):
    """What the wording needs from a decision summary."""

    @property
    def model(self) -> DecisionModel: ...
    @property
    def weight(self) -> float: ...
    @property
    def harm_weights(self) -> dict: ...
    @property
    def preferred(self) -> str: ...
    @property
    def prob_best_at_weight(self) -> dict[str, float]: ...
    @property
    def flips(self) -> list[dict]: ...

    def rate(self, strategy: str, outcome: str) -> Any: ...


def _people(n: float) -> str:
    """'1 person' / '2 people' / '1.5 people' (one decimal at most)."""
    txt = f"{n:.1f}".rstrip("0").rstrip(".")
    return f"{txt} person" if txt == "1" else f"{txt} people"


# --- the patient's part ----------------------------------------------------------------------------------


def patient_lines(summary: SummaryLike) -> list[dict]:
    """One block per strategy in plain words (the model's patient outcomes), same denominator and time frame."""
    m = summary.model
    out = []
    for s in m.strategies:
        items = []
        for o in m.patient_outcomes:
            if o not in m.applicable[s]:
                continue
            r = summary.rate(s, o)
            items.append(
                {
                    "outcome": o,
                    "label": m.outcome_title(o),
                    "text": r.text,
                    "certainty": r.certainty,
                    "kind": BENEFIT if m.outcomes[o].is_benefit else HARM,
                }
            )
        out.append({"strategy": s, "name": m.strategy_label(s), "short": m.short_label(s), "items": items})
    return out


def weight_meaning(weight: float, model: DecisionModel) -> str:
    """'1 person seriously harmed counts as much as 2 people much better.'"""
    return (
        f"1 person {short_plain(model, model.harm)} counts as much as {_people(weight)} "
        f"{short_plain(model, model.benefit)}."
    )


def other_harm_meaning(outcome: str, relative: float, model: DecisionModel) -> str:
    """'5 people with a complication or side effect that passes count as much as 1 person seriously harmed.'"""
    if relative <= 0:
        return f"A {model.outcome_title(outcome).lower()} does not count for you."
    n = 1 / relative
    who = "person" if _people(n).endswith("person") else "people"
    verb = "counts" if who == "person" else "count"
    return (
        f"{_people(n).split()[0]} {who} with {model.outcome_plain(outcome)} {verb} as much as 1 person "
        f"{short_plain(model, model.harm)}."
    )


def preference_words(summary: SummaryLike) -> str:
    """The weights in force, in words (one sentence per weighed harm)."""
    m = summary.model
    parts = [weight_meaning(summary.weight, m)]
    parts += [other_harm_meaning(o, float(summary.harm_weights.get(o, r)), m) for o, r in m.other_harms.items()]
    return " ".join(parts)


def weight_words(summary: SummaryLike) -> str:
    """Which option fits the weights, and how sure that is, in plain words."""
    m = summary.model
    best = summary.preferred
    chance = round(DENOMINATOR * summary.prob_best_at_weight[best])
    return (
        f"Say {preference_words(summary)} Then {m.short_label(best).lower()} gives the best mix of gain and harm "
        f"on average. How sure is this? It comes out best in {chance} of 100 likely versions of the facts."
    )


def patient_flip_words(summary: SummaryLike, w_max: float = 5.0) -> str:
    """What would change the option that fits best, in words (the nearest flip weights on either side)."""
    m = summary.model
    w, best = summary.weight, summary.preferred
    harmed, better = short_plain(m, m.harm), short_plain(m, m.benefit)
    flips = sorted(summary.flips, key=lambda f: f["weight"])
    above = [f for f in flips if f["weight"] > w]
    below = [f for f in flips if f["weight"] <= w]
    parts = []
    if above:
        f = above[0]
        parts.append(
            f"If 1 person {harmed} weighed as much as {_people(f['weight'])} {better} or more, "
            f"{m.short_label(f['to']).lower()} would fit better."
        )
    if below:
        f = below[-1]
        parts.append(
            f"If 1 person {harmed} weighed less than {_people(f['weight'])} {better}, "
            f"{m.short_label(f['from']).lower()} would fit better."
        )
    if not parts:
        return f"{m.short_label(best)} fits best however you weigh harm against gain (for weights up to {w_max:g})."
    return "What could change this? " + " ".join(parts)


def other_harm_flip_words(
    summary: SummaryLike, preferred_by_answer: Mapping[str, Mapping[str, str]], current: Mapping[str, float]
) -> str:
    """What another answer to a minor-harm question would change, in words: ``preferred_by_answer[outcome][answer]``
    is the option that fits best with that answer (the other weights as they are), ``current[outcome]`` the
    relative weight in force. One sentence for the nearest answer on each side that changes the option."""
    m = summary.model
    parts = []
    for o, by_answer in preferred_by_answer.items():
        now = 1 / current[o] if current.get(o, 0) > 0 else math.inf
        ranked = sorted((OTHER_ANSWERS[a], s) for a, s in by_answer.items() if a in OTHER_ANSWERS)
        fewer = [(n, s) for n, s in ranked if n < now and s != summary.preferred]
        more = [(n, s) for n, s in ranked if n > now and s != summary.preferred]
        for n, s in ([fewer[-1]] if fewer else []) + ([more[0]] if more else []):
            parts.append(
                f"If {_people(n)} with {m.outcome_plain(o)} counted as much as 1 person "
                f"{short_plain(m, m.harm)}, {m.short_label(s).lower()} would fit better."
            )
    return " ".join(parts)


def flip_text(flips: Sequence[Mapping[str, Any]], preferred: str, w_max: float, model: DecisionModel) -> str:
    """Where the preferred strategy changes, in words (clinician wording, as ``DecisionSummary.flip_text``)."""
    if not flips:
        return f"{model.short_label(preferred)} has the best expected net outcome at every weight from 0 to {w_max:g}."
    first = flips[0]
    parts = [
        f"{model.short_label(first['from'])} is best on average while one harm counts for less than "
        f"{first['weight']:.2f} improvements"
    ]
    for f, nxt in zip(flips, [*flips[1:], None], strict=True):
        upper = f" up to {nxt['weight']:.2f}" if nxt else ""
        parts.append(f"{model.short_label(f['to']).lower()} from {f['weight']:.2f}{upper}")
    return "; ".join(parts) + "."


def icon_caption(row: Mapping[str, Any], outcome: str, model: DecisionModel, *, short: bool = False) -> str:
    """'About 81 of 100 people like you: much better (plausibly 37 to 100)' (an icon array's caption).

    ``short``: the outcome's plain words without their explanation in brackets (:func:`short_plain`), for a grid
    whose row title explains the outcome once."""
    if outcome in model.outcomes:
        words = short_plain(model, outcome) if short else model.outcome_plain(outcome)
    else:
        words = str(row.get("label", outcome)).lower()
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
    """The profile in plain words for the patient, one short fact per line (the model's words for each field,
    without their examples in brackets)."""
    out = []
    for line in profile.describe():
        head, _, value = line.partition(": ")
        if "(" in head:
            head = head[: head.index("(")].rstrip()
        out.append(f"{head}: {value}.")
    return out


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
"""Each question offers 1 more person seriously harmed in exchange for this many more people much better."""

YES, NO, UNSURE = "Yes", "No", "Not sure"
ANSWERS = (YES, NO, UNSURE)

OTHER_ANSWERS: dict[str, float] = {"1": 1.0, "2": 2.0, "5": 5.0, "10": 10.0, "20": 20.0}
"""Answers to "how many people with a minor harm count as much as 1 person seriously harmed?": n people, so
that the minor harm's relative weight is 1/n ("Not sure" keeps the model's default)."""
OTHER_CHOICES = (UNSURE, *OTHER_ANSWERS)


def trade_question(n: int, model: DecisionModel) -> str:
    """'Would you accept 1 more person in 100 being seriously harmed to get 5 more people in 100 much better?'"""
    who = "person" if n == 1 else "people"
    return (
        f"Would you accept 1 more person in 100 being {short_plain(model, model.harm)} to get {n} more {who} in 100 "
        f"{short_plain(model, model.benefit)}?"
    )


def other_harm_question(outcome: str, model: DecisionModel) -> str:
    """'How many people with a complication or side effect that passes would count as much, for you, as 1 person
    seriously harmed?'"""
    return (
        f"How many people with {model.outcome_plain(outcome)} would count as much, for you, as 1 person "
        f"{short_plain(model, model.harm)}?"
    )


def relative_from_answer(answer: str, default: float) -> float:
    """The relative weight of a minor harm from the answer to ``other_harm_question`` (1/n; "Not sure": default)."""
    if answer == UNSURE:
        return float(default)
    if answer not in OTHER_ANSWERS:
        raise ValueError(f"answer {answer!r}; allowed: {', '.join(OTHER_CHOICES)}")
    return 1.0 / OTHER_ANSWERS[answer]


@dataclass(frozen=True)
class WeightFromAnswers:
    """The weight the answers give (``None`` if they contradict each other), its bounds and a sentence."""

    weight: float | None
    low: float
    high: float
    text: str
    answered: int


def weight_from_answers(answers: Mapping[int, str], default: float, model: DecisionModel) -> WeightFromAnswers:
    """Yes to trade n means the weight is at most n (n gains make up for 1 serious harm); No means it is more than n.

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
        return WeightFromAnswers(default, low, high, f"No answers yet. For now, {weight_meaning(default, model)}", 0)
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
    return WeightFromAnswers(float(w), low, high, f"Your answers mean: {weight_meaning(w, model)}", len(yes) + len(no))


__all__ = [
    "ANSWERS",
    "DENOMINATOR",
    "DISCLAIMER",
    "NOT_ONE_PERSON",
    "OTHER_ANSWERS",
    "OTHER_CHOICES",
    "READING_EASE_MIN",
    "TRADES",
    "WeightFromAnswers",
    "explained",
    "flip_text",
    "frequency_text",
    "harm_means",
    "html_text",
    "icon_caption",
    "intro",
    "other_harm_flip_words",
    "other_harm_meaning",
    "other_harm_question",
    "patient_flip_words",
    "patient_lines",
    "per100",
    "preference_words",
    "profile_words",
    "reading_ease",
    "relative_from_answer",
    "short_plain",
    "trade_question",
    "uncertainty_words",
    "weighed_harms",
    "weight_from_answers",
    "weight_meaning",
    "weight_words",
]
