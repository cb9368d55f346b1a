"""Findings per night per engine over the last nights, as the parts of an inline SVG line chart.

Only numbers and fixed labels reach the SVG (engine names are matched against a fixed colour
table), and the template escapes them anyway: the chart cannot carry attacker text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

ENGINE_COLOURS = {"google": "#1a73e8", "bing": "#00897b", "duckduckgo": "#de5833"}
WIDTH, HEIGHT = 720, 220
LEFT, RIGHT, TOP, BOTTOM = 40, 140, 12, 28


@dataclass(frozen=True)
class Series:
    engine: str
    colour: str
    points: str  # "x,y x,y ..." for a <polyline>
    dots: tuple[tuple[float, float, int, str], ...]  # x, y, findings, night (for a <title>)
    total: int


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    series: tuple[Series, ...]
    y_ticks: tuple[tuple[float, int], ...]  # y, value
    x_ticks: tuple[tuple[float, str], ...]  # x, label
    nights: int
    first: str
    last: str
    plot: tuple[int, int, int, int]  # left, top, right, bottom


def trend_chart(counts: Iterable[tuple[str, str, int]], last_night: str, nights: int = 30) -> Chart:
    """``counts``: (night YYYY-MM-DD, engine, findings).  Nights without a row count as 0."""
    try:
        end = date.fromisoformat(last_night[:10])
    except ValueError:
        end = date.today()
    days = [end - timedelta(days=nights - 1 - i) for i in range(nights)]
    index = {d.isoformat(): i for i, d in enumerate(days)}
    table: dict[str, list[int]] = {}
    for night, engine, n in counts:
        i = index.get(str(night)[:10])
        if i is not None:
            table.setdefault(str(engine), [0] * nights)[i] += int(n)
    for engine in ENGINE_COLOURS:
        table.setdefault(engine, [0] * nights)
    top = max([max(v) for v in table.values()] + [1])
    step = max(1, -(-top // 4))
    top = step * -(-top // step)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(i: int) -> float:
        return round(LEFT + plot_w * i / max(nights - 1, 1), 1)

    def y(v: int) -> float:
        return round(TOP + plot_h * (1 - v / top), 1)

    series = []
    for engine in sorted(table, key=lambda e: (e not in ENGINE_COLOURS, list(ENGINE_COLOURS).index(e)
                                               if e in ENGINE_COLOURS else 0, e)):  # fmt: skip
        values = table[engine]
        series.append(Series(
            engine=engine, colour=ENGINE_COLOURS.get(engine, "#555555"),
            points=" ".join(f"{x(i)},{y(v)}" for i, v in enumerate(values)),
            dots=tuple((x(i), y(v), v, days[i].isoformat()) for i, v in enumerate(values) if v),
            total=sum(values),
        ))  # fmt: skip
    y_ticks = tuple((y(v), v) for v in range(0, top + 1, step))
    x_ticks = tuple((x(i), days[i].strftime("%d %b")) for i in range(0, nights - 3, 7)) + ((x(nights - 1),
                    days[-1].strftime("%d %b")),)  # fmt: skip
    return Chart(WIDTH, HEIGHT, tuple(series), y_ticks, x_ticks, nights, days[0].isoformat(), days[-1].isoformat(),
                 (LEFT, TOP, WIDTH - RIGHT, HEIGHT - BOTTOM))  # fmt: skip
