"""Rich text for Qt widgets, built only from escaped text."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from kapdesk.palette import NO_RATING_COLOR, STRENGTH_COLORS

if TYPE_CHECKING:  # the model is imported where it is used, after the window is up
    from kapdesk.content.model import Labels, Modality, Reference


def highlighted(segments: tuple[tuple[str, bool], ...]) -> str:
    return "".join(
        f"<b style='background:#fff2a8'>{escape(text)}</b>" if hit else escape(text)
        for text, hit in segments
    )


def strength_badge(rating: str | None, labels: Labels) -> str:
    word = labels.strength(rating) if rating else "No rating"
    color = STRENGTH_COLORS.get(rating or "", NO_RATING_COLOR)
    return (
        f"<span style='background:{color}; color:#ffffff; font-weight:bold'>"
        f"&nbsp;{escape(word)}&nbsp;</span>"
    )


def modality_html(modality: Modality, references: list[Reference], labels: Labels) -> str:
    """The detail view of a modality: sections, ratings in words and colour, references."""
    from kapdesk.content.model import CONDITIONS, SECTIONS

    number = {ref.id: index for index, ref in enumerate(references, 1)}

    def cite(sources: tuple[str, ...]) -> str:
        links = ", ".join(
            f"<a href='#ref-{number[s]}'>{number[s]}</a>" for s in dict.fromkeys(sources)
        )
        return f" <sup>[{links}]</sup>"

    parts = [
        f"<h1>{escape(modality.name)}</h1>",
        f"<p style='color:#555555'>{escape(labels.category(modality.category))}"
        f" · also: {escape(', '.join(modality.aliases))}</p>",
        f"<p>{escape(modality.summary.text)}{cite(modality.summary.sources)}</p>",
        "<h2>Evidence strength by condition</h2>",
        "<table cellspacing='0' cellpadding='4' width='100%'>",
    ]
    for condition in CONDITIONS:
        strength = modality.strengths.get(condition)
        if strength:
            detail = escape(strength.statement.text) + cite(strength.statement.sources)
            badge = strength_badge(strength.rating, labels)
        else:
            detail = "<i>No information:</i> " + escape(
                modality.missing.get(f"strength.{condition}", "")
            )
            badge = strength_badge(None, labels)
        parts.append(
            f"<tr><td width='22%' valign='top'><b>{escape(labels.condition(condition))}</b></td>"
            f"<td width='14%' valign='top'>{badge}</td><td valign='top'>{detail}</td></tr>"
        )
    parts.append("</table>")
    for section in SECTIONS:
        parts.append(f"<h2>{escape(labels.section(section))}</h2><ul>")
        for statement in modality.sections.get(section, ()):
            parts.append(f"<li>{escape(statement.text)}{cite(statement.sources)}</li>")
        if section in modality.missing:
            parts.append(f"<li><i>No information:</i> {escape(modality.missing[section])}</li>")
        parts.append("</ul>")
    parts.append("<h2>Patient-language summary</h2>")
    parts.append(f"<p>{escape(modality.plain_summary.plain_en or '')}</p>")
    parts.append(
        f"<p lang='es'><i>Español:</i> {escape(modality.plain_summary.plain_es or '')}</p>"
    )
    parts.append("<h2>References</h2><ol>")
    for index, ref in enumerate(references, 1):
        parts.append(f"<li><a name='ref-{index}'></a>{escape(ref.full_citation())}</li>")
    parts.append("</ol>")
    return "\n".join(parts)
