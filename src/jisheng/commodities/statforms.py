"""The four commodity reports (``commodities/reports.py``) as statistical forms of the
reporting chain (``core.statforms.FormSpec``): the users, effect and methods forms as
they are, and the stock status turned into a form (per unit of the rows, per product:
opening, received, issued and other outgoings, closing). Monthly; due on the policy
pack's ``monthly_report`` deadline (the day of the month after the period), else the 5th.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable

from django.utils.translation import gettext as _

from jisheng.commodities import reports
from jisheng.commodities.models import Store
from jisheng.core.periods import MONTH, Period, clamped
from jisheng.core.statforms import Form, FormRow, FormSpec, register_statform, report_units
from jisheng.orgs.models import Unit

DEADLINE_KEY = "monthly_report"
FALLBACK_DAY = 5


def deadline(unit: Unit, period: Period) -> datetime.date:
    """The pack's ``monthly_report`` rule for the day after the period, else the 5th of
    the month after."""
    from jisheng.policy.deadlines import due_date
    from jisheng.policy.selectors import pack_in_force

    after = period.last + datetime.timedelta(days=1)
    pack = pack_in_force(unit, after)
    rule = pack.deadlines.get(DEADLINE_KEY) if pack is not None else None
    if rule is not None:
        return due_date(rule, after)
    return clamped(after.year, after.month, FALLBACK_DAY)


STOCK_FIGURES = ("opening", "received", "issued", "closing")


def stock_form(root: Unit, period: Period) -> Form:
    """The stock status as a form: a row per child unit (its subtree's stores), per
    product the opening, received (receipts and transfers in), issued (to persons,
    transfers out, written off, adjusted: opening + received − issued = closing) and
    closing stock."""
    stores = Store.objects.filter(unit__path__startswith=root.path).select_related("unit")
    status = reports.stock_status(stores, period.first, period.last)
    units = report_units(root)
    width = len(units[0].path)
    products = {r.product.pk: r.product for r in status.totals}
    columns: list[tuple[str, str]] = []
    labels = {
        "opening": _("opening"),
        "received": _("received"),
        "issued": _("issued and other outgoings"),
        "closing": _("closing"),
    }
    for product in products.values():
        for figure in STOCK_FIGURES:
            columns.append((f"{figure}:{product.code}", f"{product.name}：{labels[figure]}"))
    by_path: dict[str, dict[str, int]] = {u.path: defaultdict(int) for u in units}
    total: dict[str, int] = defaultdict(int)
    for row in status.rows:
        assert row.store is not None
        received = row.receipts + row.transfers_in
        cells = {
            "opening": row.opening,
            "received": received,
            "issued": row.opening + received - row.closing,
            "closing": row.closing,
        }
        target = by_path.get(row.store.unit.path[:width])
        for figure, value in cells.items():
            key = f"{figure}:{row.product.code}"
            total[key] += value
            if target is not None:
                target[key] += value
    form = Form(
        key="commodity_stock",
        title=reports.TITLES["stock"],
        root=root,
        period=period,
        columns=columns,
    )
    for unit, counts in [(u, by_path[u.path]) for u in units] + [(None, total)]:
        form.rows.append(FormRow(unit, {k: counts.get(k, 0) for k, _h in columns}))
    return form


def _renamed(key: str, builder: Callable[[Unit, Period], Form]) -> Callable[[Unit, Period], Form]:
    def build(unit: Unit, period: Period) -> Form:
        form = builder(unit, period)
        form.key = key
        return form

    return build


def register() -> None:
    for order, (key, name, builder) in enumerate(
        (
            ("commodity_methods", "methods", reports.methods_form),
            ("commodity_users", "users", reports.users_form),
            ("commodity_effect", "effect", reports.effect_form),
            ("commodity_stock", "stock", stock_form),
        )
    ):
        register_statform(
            FormSpec(
                key=key,
                title=reports.TITLES[name],
                frequency=MONTH,
                build=_renamed(key, builder),
                deadline=deadline,
                order=30 + order,
                version="1",
                source="commodities",
                # the ledgers are not under the period lock (their own reversals
                # correct them): approving a commodity report closes no period
                closes_period=False,
            )
        )
