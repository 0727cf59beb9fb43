"""Scope by any of several paths (issue 14 item 4): a row seen from two units — a
commodity transfer by the store that sent it and by the one it goes to — goes through
``core.scope`` like every other row; no view or API module builds a scope filter of its
own."""

from __future__ import annotations

import datetime
import pathlib
import re

import pytest
from django.http import Http404

from jisheng.commodities import services
from jisheng.commodities.choices import Category, DocumentKind, StoreKind
from jisheng.commodities.models import Document, Product, Store
from jisheng.core.models import AuditEvent
from jisheng.core.scope import get_in_any_scope_or_404, restrict_any
from jisheng.orgs.models import User

pytestmark = pytest.mark.django_db

SRC = pathlib.Path(__file__).resolve().parents[2] / "src" / "jisheng"


def test_restrict_any_keeps_a_row_inside_by_either_path(tree, users):
    town = Store.objects.create(
        unit=tree.town, code="t", name="t", kind=StoreKind.TOWNSHIP_WAREHOUSE
    )
    village = Store.objects.create(
        unit=tree.village_a, code="a", name="a", kind=StoreKind.VILLAGE_CABINET
    )
    product = Product.objects.create(
        code="condom", name="避孕套", category=Category.CONDOM, unit="盒", method="condom"
    )
    day = datetime.date(2026, 3, 2)
    services.receive(
        actor=None,
        store=town,
        occurred_on=day,
        supplier="省药具站",
        lines=[services.NewLot(product, "L1", "2028-12-31", 10)],
    )
    sent = services.transfer_send(
        actor=None,
        store=town,
        to_store=village,
        occurred_on=day,
        lines=[services.Item(product, 5)],
    )
    documents = Document.objects.filter(kind=DocumentKind.TRANSFER_OUT)
    both = ("store__unit__path", "counterpart__unit__path")
    # the village sees the transfer coming to it, the township the one it sent
    assert list(restrict_any(documents, users.field_a, both)) == [sent]
    assert list(restrict_any(documents, users.town_office, both)) == [sent]
    assert not restrict_any(documents, users.field_a, ("store__unit__path",)).exists()
    assert not restrict_any(documents, users.field_b, both).exists()
    assert list(restrict_any(documents, users.office, both)) == [sent]
    # nobody, and no path at all: nothing
    nobody = User.objects.create_user("nobody", password="x")
    assert not restrict_any(documents, nobody, both).exists()
    assert not restrict_any(documents, users.office, ()).exists()


def test_get_in_any_scope_or_404_audits_an_object_outside(tree, users):
    store = Store.objects.create(
        unit=tree.village_b, code="b", name="b", kind=StoreKind.VILLAGE_CABINET
    )
    found = get_in_any_scope_or_404(
        Store.objects.all(), users.town_office, ("unit__path",), pk=store.pk
    )
    assert found == store
    with pytest.raises(Http404):
        get_in_any_scope_or_404(Store.objects.all(), users.field_a, ("unit__path",), pk=store.pk)
    assert AuditEvent.objects.filter(action="denied", user=users.field_a).count() == 1
    with pytest.raises(Http404):  # a missing one answers alike, nothing to audit
        get_in_any_scope_or_404(Store.objects.all(), users.field_a, ("unit__path",), pk=999999)
    with pytest.raises(Http404):  # a malformed id too
        get_in_any_scope_or_404(Store.objects.all(), users.field_a, ("unit__path",), pk="x")
    assert AuditEvent.objects.filter(action="denied", user=users.field_a).count() == 1


HAND_MADE = re.compile(r"path__startswith|user_scope_path\(|\.filter\(unit__in=")


def test_no_view_or_api_module_filters_by_scope_by_hand():
    """Views and API modules call ``core.scope`` (or a selector that does)."""
    modules = [
        *SRC.glob("*/views*.py"),
        *SRC.glob("*/api*.py"),
        *SRC.glob("api/*.py"),
    ]
    assert len(modules) > 20
    offenders = {
        str(path.relative_to(SRC)): line.strip()
        for path in modules
        for line in path.read_text().splitlines()
        if HAND_MADE.search(line) and not line.strip().startswith("#")
    }
    assert offenders == {}
