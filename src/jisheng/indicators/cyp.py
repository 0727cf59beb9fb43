"""Couple-years of protection (CYP): the protection given by the procedures done and
the commodities issued in a period, converted with the versioned factor table.

A *source* is a term of the ``cyp`` indicator: a population (rows counted, or a
quantity summed) narrowed by filters, converted with one item of the factor table
(:class:`~jisheng.indicators.models.CypFactor`: ``quantity`` units give ``cyp``
couple-years). The procedures come from the method starts of the services app;
another app adds its own source from its ``AppConfig.ready()`` with
:func:`add_source` — the commodities app adds the commodities issued to persons (a
population whose ``measure`` is the quantity issued, one filter per item).

Like any app's indicator, ``cyp`` plugs itself in: :func:`register` (called from
``IndicatorsConfig.ready()``) gives the engine the factor table
(``engine.register_factors``) and the catalogue the indicator, so neither the engine nor
the catalogue imports this module.

The factors are those of the table in force on the period's last day (the latest
``valid_from`` not after it): a table loaded later for later periods does not change
a past period's figure.

Implants (皮埋) count as 3-year implants (2.5 CYP): the implant used in China is the
two-rod levonorgestrel implant (左炔诺孕酮硅胶棒 II 型, Sino-implant (II), sold abroad
as Levoplant), which WHO prequalified for three years of use in 2017 and to which the
2021 USAID update of the factors gives 2.5 CYP (Global Health: Science and Practice
12(2) e2300388). The IUDs recorded are copper IUDs (4.6).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from jisheng.indicators import catalogue
from jisheng.indicators.engine import POPULATIONS, WITHIN, Indicator, Term, register_factors
from jisheng.indicators.models import CypFactor, CypFactorTable
from jisheng.policy.choices import Method
from jisheng.policy.measures import BEHAVIOUR

Item = CypFactor.Item

ID = "cyp"

# The method of a method start → the item of the factor table.
METHOD_ITEMS: dict[str, str] = {
    Method.IUD: Item.IUD_COPPER,
    Method.IMPLANT: Item.IMPLANT_3Y,
    Method.FEMALE_STERILISATION: Item.FEMALE_STERILISATION,
    Method.MALE_STERILISATION: Item.MALE_STERILISATION,
}


@dataclass(frozen=True)
class CypSource:
    """``population`` rows narrowed by ``filters``, each unit (row, or unit of the
    population's ``measure``) being one unit of the factor table's ``item``."""

    population: str
    filters: tuple[str, ...]
    item: str
    label_zh: str

    @property
    def term(self) -> Term:
        return Term(self.population, self.filters, 1, self.item)


SOURCES: list[CypSource] = [
    CypSource("method_starts", (Method.IUD.value,), Item.IUD_COPPER, "上环（铜 IUD）"),
    CypSource("method_starts", (Method.IMPLANT.value,), Item.IMPLANT_3Y, "皮埋（按 3 年型）"),
    CypSource(
        "method_starts",
        (Method.FEMALE_STERILISATION.value,),
        Item.FEMALE_STERILISATION,
        "女扎",
    ),
    CypSource("method_starts", (Method.MALE_STERILISATION.value,), Item.MALE_STERILISATION, "男扎"),
]


def table_on(day: datetime.date) -> CypFactorTable | None:
    """The factor table in force on ``day``: the latest ``valid_from`` not after it."""
    return CypFactorTable.objects.filter(valid_from__lte=day).order_by("-valid_from").first()


def factors_on(day: datetime.date) -> dict[str, float]:
    """CYP per unit of each item of the table in force on ``day`` (one query); empty
    when no table is in force."""
    latest = CypFactorTable.objects.filter(valid_from__lte=day).order_by("-valid_from")
    rows = CypFactor.objects.filter(table=latest.values("pk")[:1]).values_list(
        "item", "quantity", "cyp"
    )
    return {item: float(cyp) / float(quantity) for item, quantity, cyp in rows}


def _definition() -> str:
    sources = "、".join(s.label_zh for s in SOURCES)
    return (
        f"期内提供的避孕保护总量（对年）：{sources}等各项数量 × 折算系数之和。"
        "折算系数取期末最后一天有效的 CYP 折算表（默认 USAID 2021：铜 IUD 4.6、"
        "3/4/5 年型皮埋 2.5/3.2/3.8、绝育 10、15 板口服药、120 只避孕套、4 支针剂各 1）；"
        "皮埋按 3 年型（国产左炔诺孕酮硅胶棒 II 型，WHO 预认证为 3 年）。"
        "手术按期内开始且未作废的措施记录统计。"
    )


def indicator() -> Indicator:
    """The ``cyp`` indicator over the sources registered so far."""
    return Indicator(
        id=ID,
        name_zh="避孕保护对年数（CYP）",
        unit="couple-years",
        measures=BEHAVIOUR,  # contraceptive use and method mix (SPEC §0)
        numerator=tuple(s.term for s in SOURCES),
        semantics=WITHIN,
        definition_zh=_definition(),
    )


def add_source(source: CypSource) -> None:
    """Add a source of CYP (from an ``AppConfig.ready()``, after registering its
    population); the catalogue's ``cyp`` indicator is rebuilt with it."""
    if source.item not in Item.values:
        raise ValueError(f"CYP source: unknown item {source.item!r}")
    if any(s.term.key == source.term.key for s in SOURCES):
        raise ValueError(f"CYP source {source.population} {source.filters} is already there")
    population = POPULATIONS.get(source.population)
    if population is None:
        raise ValueError(f"CYP source: population {source.population!r} is not registered")
    unknown = [f for f in source.filters if f not in population.filters]
    if unknown:
        raise ValueError(f"CYP source: filters {unknown} of {source.population}")
    SOURCES.append(source)
    try:
        if ID in catalogue.BY_ID:
            catalogue.replace(indicator())
        else:  # an app ready before this one: register() builds cyp with it
            indicator().validate()
    except Exception:
        SOURCES.pop()
        raise


def register() -> None:
    """Give the engine the CYP factor table and the catalogue the ``cyp`` indicator (after
    ``tfr``, where the catalogue has always listed it); once."""
    register_factors(factors_on)
    if ID not in catalogue.BY_ID:
        catalogue.register(indicator(), after="tfr")
