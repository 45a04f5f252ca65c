"""Small SVG charts rendered on the server: no script, no external service, readable in black and
white (every bar and point carries its value as text; series differ by pattern, not only colour).

Only SVG presentation attributes are used, never style attributes, so the strict CSP holds.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

from markupsafe import Markup, escape

from tracker.i18n import gettext as _

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 16, 16, 24, 44
LEGEND_CHAR_WIDTH = 6.5  # a generous average width of a legend character (11 px sans-serif)


@dataclass(frozen=True)
class Series:
    label: str
    values: list[int]
    css: str  # class for colour and pattern: "series-a", "series-b"


def short_money(amount: int) -> str:
    """12.500.000 -> '12,5 tr' (bar labels must fit; the tables carry exact amounts)."""
    sign = "-" if amount < 0 else ""
    amount = abs(amount)
    if amount >= 1_000_000_000:
        return f"{sign}{amount / 1_000_000_000:.1f} tỷ".replace(".", ",")
    if amount >= 1_000_000:
        return f"{sign}{amount / 1_000_000:.1f} tr".replace(".", ",").replace(",0 tr", " tr")
    if amount >= 1_000:
        return f"{sign}{amount // 1_000} nghìn"
    return f"{sign}{amount}"


def _text(css: str, x: float, y: float, content, anchor: str = "middle") -> str:
    return f'<text class="{css}" x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}">{escape(content)}</text>'


def _hatch_id(title: str) -> str:
    """The id of a chart's hatching pattern. A page shows several charts and an id must be unique
    on it, so each chart names its own after its title (the charts of a page differ in title)."""
    return f"hatch-{zlib.crc32(title.encode()):08x}"


def _fill(s: Series, title: str) -> str:
    """The second series is hatched (told apart in black and white); a presentation attribute, since
    the pattern's id differs per chart and the stylesheet cannot name it."""
    return f' fill="url(#{_hatch_id(title)})"' if s.css == "series-b" else ""


def _frame(title: str, description: str, body: list[str]) -> Markup:
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title><desc>{escape(description)}</desc>",
        f'<defs><pattern id="{_hatch_id(title)}" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="6" stroke="#000" stroke-width="2"/>'
        "</pattern></defs>",
        *body,
        "</svg>",
    ]
    return Markup("".join(parts))


def bars(title: str, labels: list[str], series: list[Series], money: bool = True) -> Markup:
    """Grouped vertical bars, one group per label."""
    top = max([1, *(max(s.values, default=0) for s in series)])
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    group_w = plot_w / max(len(labels), 1)
    bar_w = max(group_w * 0.8 / max(len(series), 1), 2)
    body = [f'<line class="axis" x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}"/>']
    for i, label in enumerate(labels):
        x0 = LEFT + i * group_w + group_w * 0.1
        for j, s in enumerate(series):
            value = s.values[i] if i < len(s.values) else 0
            h = plot_h * max(value, 0) / top
            x, y = x0 + j * bar_w, TOP + plot_h - h
            text = short_money(value) if money else str(value)
            tip = f"{label} · {s.label}: {text}"
            body.append(
                f'<rect class="bar {s.css}"{_fill(s, title)} x="{x:.1f}" y="{y:.1f}" '
                f'width="{bar_w - 1:.1f}" height="{h:.1f}">'
                f"<title>{escape(tip)}</title></rect>"
            )
            if value and len(labels) * len(series) <= 24:
                body.append(_text("value", x + bar_w / 2, y - 3, text))
        body.append(_text("label", LEFT + i * group_w + group_w / 2, HEIGHT - BOTTOM + 16, label))
    body += _legend(series, title)
    return _frame(title, ", ".join(s.label for s in series), body)


def line(title: str, labels: list[str], values: list[int]) -> Markup:
    """One line with a dot and a value at each point (cash over time)."""
    top = max([1, *values])
    bottom = min([0, *values])
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(values) - 1, 1)

    def y_of(value: int) -> float:
        return TOP + plot_h - plot_h * (value - bottom) / (top - bottom or 1)

    points = [(LEFT + i * step, y_of(v)) for i, v in enumerate(values)]
    body = [f'<line class="axis" x1="{LEFT}" y1="{y_of(0):.1f}" x2="{WIDTH - RIGHT}" y2="{y_of(0):.1f}"/>']
    if points:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        body.append(f'<polyline class="line" points="{path}"/>')
    every = max(1, len(values) // 8)
    for i, ((x, y), value) in enumerate(zip(points, values, strict=True)):
        tip = f"{labels[i]}: {short_money(value)}"
        body.append(
            f'<circle class="dot" cx="{x:.1f}" cy="{y:.1f}" r="3"><title>{escape(tip)}</title></circle>'
        )
        if i % every == 0 or i == len(values) - 1:
            # the first and last labels hang inwards, so the chart's edges do not cut them
            anchor = "start" if i == 0 else "end" if i == len(values) - 1 else "middle"
            body.append(_text("value", x, y - 6, short_money(value), anchor))
            body.append(_text("label", x, HEIGHT - BOTTOM + 16, labels[i], anchor))
    return _frame(title, title, body)


def _legend(series: list[Series], title: str) -> list[str]:
    if len(series) < 2:
        return []
    out = []
    x = LEFT
    for s in series:
        swatch = f'x="{x:.0f}" y="{HEIGHT - 18}" width="12" height="12"'
        out.append(f'<rect class="bar {s.css}"{_fill(s, title)} {swatch}/>')
        out.append(f'<text class="legend" x="{x + 16:.0f}" y="{HEIGHT - 8}">{escape(s.label)}</text>')
        x += 16 + len(s.label) * LEGEND_CHAR_WIDTH + 24  # the next entry starts after this label
    return out


def money_flows(title: str, labels: list[str], ins: list[int], outs: list[int]) -> Markup:
    """Money in (donations, repayments) and out (disbursements) per month, as paired bars."""
    return bars(
        title,
        labels,
        [
            Series(_("In (donations, repayments)"), ins, "series-a"),
            Series(_("Out (loans, grants, running costs)"), outs, "series-b"),
        ],
    )
