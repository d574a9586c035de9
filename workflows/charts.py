"""Charts as inline SVG, drawn on the server: no JavaScript, nothing fetched from elsewhere, so they render on a
phone over a slow connection and with no internet access. Every chart is an image with a title (``role="img"``);
the page shows a table of the same figures after it, for screen readers and narrow phones. Every label is inserted
with ``format_html``, which escapes it.

- :func:`bar_chart`: one bar per row (a percentage), with the target as a dashed line;
- :func:`trend_chart`: a line over periods, with the target.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

# Geometry in SVG user units; the drawing scales to the width of the screen (a 390 px phone included).
WIDTH = 320
BAR_LEFT, BAR_SPAN, BAR_ROW, BAR_TOP, BAR_HEIGHT = 2, 240, 36, 18, 12
PLOT_LEFT, PLOT_RIGHT, PLOT_TOP, PLOT_BOTTOM, TREND_HEIGHT = 40, 308, 10, 88, 112
INK, MUTED, TRACK, LINE = "#1d2433", "#5b6475", "#eef1f6", "#0b57d0"
FILL = {True: "#1e7a3c", False: "#b42318", None: MUTED}  # meets the target / below it / no figure
LABEL_CHARS = 42


def _n(value: float) -> str:
    """A coordinate as SVG wants it (a dot), whatever the interface language's decimal separator."""
    return f"{value:.1f}"


def pct(value: Decimal | None) -> str:
    """A percentage to 0.1 in the interface language's style (82,7% in Vietnamese); a dash when there is none."""
    return "—" if value is None else f"{number_format(value, 1)}%"


def _short(label) -> str:
    label = str(label)
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def _svg_open(ident: str, height: int, title: str) -> SafeString:
    return format_html(
        '<svg class="chart" viewBox="0 0 {w} {h}" width="100%" role="img" aria-labelledby="{id}" focusable="false"'
        ' style="display:block;max-width:36rem;height:auto;font-size:12px;margin:.5rem 0">'
        '<title id="{id}">{title}</title>',
        w=WIDTH,
        h=height,
        id=ident,
        title=title,
    )


def bar_chart(ident: str, rows: list[tuple[str, Decimal | None, bool | None]], target: Decimal, title: str) -> str:
    """One horizontal bar per row (label, percentage, whether it meets ``target``) on a 0–100% track, with the
    target as a dashed vertical line. The page shows the same figures in a table right after."""
    scale = BAR_SPAN / 100
    height = BAR_TOP + len(rows) * BAR_ROW + 2
    target_x = BAR_LEFT + float(target) * scale
    parts = [
        _svg_open(ident, height, title),
        format_html(
            '<text x="{x}" y="12" fill="{c}" text-anchor="{a}">{t}</text>',
            x=_n(target_x),
            c=MUTED,
            a="end" if target > 50 else "start",
            t=_("Mục tiêu %(target)s") % {"target": pct(target)},
        ),
    ]
    for i, (label, percent, meets) in enumerate(rows):
        top = BAR_TOP + i * BAR_ROW
        parts.append(
            format_html(
                '<text x="{x}" y="{ly}" fill="{ink}">{label}</text>'
                '<rect x="{x}" y="{by}" width="{span}" height="{bh}" fill="{track}"/>'
                '<rect x="{x}" y="{by}" width="{w}" height="{bh}" fill="{fill}"/>'
                '<text x="{vx}" y="{vy}" fill="{ink}">{value}</text>',
                x=_n(BAR_LEFT),
                ly=_n(top + 12),
                by=_n(top + 16),
                span=_n(BAR_SPAN),
                bh=BAR_HEIGHT,
                w=_n(float(percent or 0) * scale),
                fill=FILL[meets],
                track=TRACK,
                ink=INK,
                vx=_n(BAR_LEFT + BAR_SPAN + 5),
                vy=_n(top + 26.5),
                label=_short(label),
                value=pct(percent),
            )
        )
    parts.append(
        format_html(
            '<line x1="{x}" x2="{x}" y1="15" y2="{y2}" stroke="{ink}" stroke-width="1.5" stroke-dasharray="4 3"/>'
            "</svg>",
            x=_n(target_x),
            y2=_n(height - 1),
            ink=INK,
        )
    )
    return mark_safe("".join(parts))  # every part above is built by format_html, which escapes what it inserts


def trend_chart(ident: str, points: list[tuple[str, Decimal | None]], target: Decimal, title: str) -> str:
    """The percentage per period as a line (broken where a period has no figure, a dot on each figure with its
    own title), the target as a dashed horizontal line, 0% and 100% on the axis, the first and last period."""
    count = len(points)

    def x(i: int) -> float:
        if count == 1:
            return (PLOT_LEFT + PLOT_RIGHT) / 2
        return PLOT_LEFT + (PLOT_RIGHT - PLOT_LEFT) * i / (count - 1)

    def y(percent) -> float:
        return PLOT_BOTTOM - (PLOT_BOTTOM - PLOT_TOP) * float(percent) / 100

    parts = [
        _svg_open(ident, TREND_HEIGHT, title),
        format_html(
            '<text x="{ax}" y="{t}" fill="{m}" text-anchor="end">100%</text>'
            '<text x="{ax}" y="{b}" fill="{m}" text-anchor="end">0%</text>'
            '<line x1="{l}" x2="{r}" y1="{yb}" y2="{yb}" stroke="{track}"/>'
            '<line x1="{l}" x2="{r}" y1="{yt}" y2="{yt}" stroke="{track}"/>'
            '<line x1="{l}" x2="{r}" y1="{ty}" y2="{ty}" stroke="{ink}" stroke-width="1.5" stroke-dasharray="4 3"/>'
            '<text x="{r}" y="{tly}" fill="{m}" text-anchor="end">{tl}</text>',
            ax=_n(PLOT_LEFT - 4),
            t=_n(PLOT_TOP + 4),
            b=_n(PLOT_BOTTOM + 4),
            l=_n(PLOT_LEFT),
            r=_n(PLOT_RIGHT),
            yb=_n(PLOT_BOTTOM),
            yt=_n(PLOT_TOP),
            ty=_n(y(target)),
            tly=_n(y(target) + (14 if target > 80 else -4)),
            tl=_("Mục tiêu %(target)s") % {"target": pct(target)},
            m=MUTED,
            ink=INK,
            track="#d9dee7",
        ),
    ]
    runs, run = [], []
    for i, (_label, percent) in enumerate(points):
        if percent is None:
            runs.append(run)
            run = []
        else:
            run.append(f"{_n(x(i))},{_n(y(percent))}")
    runs.append(run)
    for line in runs:
        if len(line) > 1:
            parts.append(
                format_html(
                    '<polyline points="{p}" fill="none" stroke="{c}" stroke-width="2"/>', p=" ".join(line), c=LINE
                )
            )
    for i, (label, percent) in enumerate(points):
        if percent is not None:
            parts.append(
                format_html(
                    '<circle cx="{cx}" cy="{cy}" r="3" fill="{c}"><title>{t}</title></circle>',
                    cx=_n(x(i)),
                    cy=_n(y(percent)),
                    c=LINE,
                    t=f"{label}: {pct(percent)}",
                )
            )
    if points:
        parts.append(
            format_html(
                '<text x="{x}" y="{y}" fill="{m}" text-anchor="{a}">{t}</text>',
                x=_n(x(0)),
                y=_n(TREND_HEIGHT - 4),
                m=MUTED,
                a="start" if count > 1 else "middle",
                t=_short(points[0][0]),
            )
        )
    if count > 1:
        parts.append(
            format_html(
                '<text x="{x}" y="{y}" fill="{m}" text-anchor="end">{t}</text>',
                x=_n(x(count - 1)),
                y=_n(TREND_HEIGHT - 4),
                m=MUTED,
                t=_short(points[-1][0]),
            )
        )
    parts.append(mark_safe("</svg>"))
    return mark_safe("".join(parts))  # every part above is built by format_html, which escapes what it inserts
