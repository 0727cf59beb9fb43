"""Issue 13 item 17: on a 390-px phone every page type fits the screen (no horizontal
overflow) and every input of a form can be reached — in the viewport after
scrollIntoView, not covered by another element and not clipped by an ancestor's
overflow — for the office (计生办) and the field worker (专干). Tables filled on a phone
(attendance, transfer receipt, receipt / transfer / issue / write-off lines) are one card
per row there (class ``table-cards``); the person list keeps its search box in view and
folds the other filters, which stay folded after a search.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from jisheng.services import campaigns
from tests import factories
from tests.commodities.conftest import keepers, products, receive, send, stores  # noqa: F401
from tests.factories import PASSWORD
from tests.services.fixtures_pages import on_pill

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PHONE_390 = {"width": 390, "height": 844}

# Every input of the page's forms that a user is meant to fill: reachable or not, and why.
REACHABLE = """
() => {
  const problems = [];
  const W = window.innerWidth, H = window.innerHeight;
  const fields = document.querySelectorAll(
    "main form input, main form select, main form textarea, .js-main form input, " +
    ".js-main form select, .js-main form textarea");
  const seen = new Set();
  for (const el of fields) {
    if (seen.has(el)) continue;
    seen.add(el);
    if (el.type === "hidden" || el.disabled) continue;
    // folded on purpose (more filters, details, a menu): opened by a visible control
    if (el.closest("[hidden], .collapse:not(.show), details:not([open]), .dropdown-menu, " +
                   ".offcanvas, .modal, .visually-hidden, [aria-hidden=true]")) continue;
    let target = el;
    if (el.classList.contains("btn-check") || getComputedStyle(el).opacity === "0") {
      target = document.querySelector(`label[for="${el.id}"]`) || el;
    }
    const name = el.name || el.id || el.outerHTML.slice(0, 60);
    if (getComputedStyle(target).display === "none") {
      problems.push(name + ": not shown");
      continue;
    }
    target.scrollIntoView({block: "center", inline: "center", behavior: "instant"});
    const r = target.getBoundingClientRect();
    if (r.width < 1 || r.height < 1) { problems.push(name + ": no size"); continue; }
    if (r.left < -1 || r.right > W + 1 || r.top < -1 || r.bottom > H + 1) {
      problems.push(`${name}: outside the screen (${Math.round(r.left)}–${Math.round(r.right)})`);
      continue;
    }
    for (let a = target.parentElement; a && a !== document.body; a = a.parentElement) {
      const cs = getComputedStyle(a);
      if (cs.overflowX !== "visible" || cs.overflowY !== "visible") {
        const b = a.getBoundingClientRect();
        if (r.left < b.left - 1 || r.right > b.right + 1) {
          problems.push(`${name}: clipped sideways by ${a.tagName}.${a.className}`);
          break;
        }
      }
    }
    const x = Math.min(Math.max(r.left + Math.min(r.width / 2, 20), 0), W - 1);
    const y = Math.min(Math.max(r.top + r.height / 2, 0), H - 1);
    const hit = document.elementFromPoint(x, y);
    const label = hit && hit.closest("label");
    const ok = hit && (hit === target || target.contains(hit) || hit.contains(target) ||
                       (label && (label.control === el || label.contains(el))));
    if (!ok) problems.push(`${name}: covered by ${hit ? hit.tagName + "." + hit.className : "?"}`);
  }
  return problems;
}
"""
OVERFLOW = "document.documentElement.scrollWidth - window.innerWidth"
# The deepest elements that reach past the right edge (to say what overflows).
WIDE = """
() => Array.from(document.querySelectorAll("body *"))
  .filter(e => {
    const past = (x) => x.getBoundingClientRect().right > window.innerWidth + 1;
    return past(e) && !Array.from(e.children).some(past);
  })
  .slice(0, 3)
  .map(e => e.tagName + "." + e.className + " «" + (e.textContent || "").trim().slice(0, 30) + "»")
"""


@pytest.fixture
def county_data(tree, users, stores, products, keepers):  # noqa: F811
    """Work on every worklist group of village A, a running service round with its
    targets, stock in the township and a transfer in transit to village A's cabinet."""
    today = timezone.localdate()
    woman = on_pill(tree.village_a, "王芳芳", 1)
    on_pill(tree.village_a, "欧阳丽娜", 2)
    for seq in range(3, 6):
        factories.person(
            tree.village_a,
            f"李秀{seq}",
            "F",
            dt.date(1990, 1, seq),
            seq=seq,
            registered_on=dt.date(2015, 1, 1),
            marital_status="first_marriage",
        )
    round_ = campaigns.round_create(
        actor=None,
        unit=tree.town,
        campaign_id="comprehensive_service",
        period_start=today - dt.timedelta(days=5),
        period_end=today + dt.timedelta(days=25),
    )
    receive(stores.town, products.pill, number="P2026", quantity=100, day=today)
    receive(stores.village_a, products.pill, number="P2025", quantity=20, day=today)
    transfer = send(stores.town, stores.village_a, products.pill, 30, today)
    return {"woman": woman, "round": round_, "transfer": transfer, "stores": stores}


def _pages(data, *, office: bool) -> list[str]:
    woman, round_, stores_ = data["woman"], data["round"], data["stores"]
    pages = [
        "/",
        "/services/worklist/",
        "/services/worklist/due/",
        "/services/worklist/overdue/",
        "/services/worklist/absent/",
        "/people/",
        f"/people/{woman.pk}/",
        f"/people/{woman.pk}/edit/",
        f"/people/{woman.pk}/events/new/",
        f"/services/persons/{woman.pk}/",
        f"/services/persons/{woman.pk}/visit/",
        f"/services/persons/{woman.pk}/method/",
        "/services/campaigns/",
        f"/services/campaigns/{round_.pk}/",
        f"/services/campaigns/{round_.pk}/attendance/",
    ]
    if office:
        pages += [
            "/people/households/",
            "/people/births/",
            "/people/pregnancies/",
            "/people/transfers/",
            "/reports/dashboard/",
            "/reports/demography/",
            "/indicators/assessments/",
            "/indicators/contracts/",
            "/commodities/",
            f"/commodities/stores/{stores_.town.pk}/",
            f"/commodities/stores/{stores_.town.pk}/receipt/",
            f"/commodities/stores/{stores_.town.pk}/transfer/",
            f"/commodities/stores/{stores_.town.pk}/issue/",
            f"/commodities/stores/{stores_.town.pk}/write-off/",
            "/commodities/counts/",
            "/certificates/",
            "/migrants/checks/",
        ]
    return pages


def _check(page, base: str, pages: list[str]) -> list[str]:
    problems = []
    for path in pages:
        response = page.goto(base + path)
        if response is None or response.status >= 400:
            continue  # a page the role may not open is not a layout question
        page.wait_for_load_state("load")
        wider = page.evaluate(OVERFLOW)
        if wider > 0:
            wide = "; ".join(page.evaluate(WIDE))
            problems.append(f"{path}: {wider}px wider than the 390-px screen ({wide})")
        problems += [f"{path}: {p}" for p in page.evaluate(REACHABLE)]
    return problems


@pytest.mark.parametrize("username", ["office", "field_a"])
def test_every_page_fits_a_phone_and_every_input_is_reachable(
    phone_page, live_server, login, county_data, username
):
    page = phone_page
    page.set_viewport_size(PHONE_390)
    login(page, username, PASSWORD)
    problems = _check(page, live_server.url, _pages(county_data, office=username == "office"))
    assert not problems, "\n".join(problems)


def test_transfer_receipt_lines_are_cards_on_a_phone(phone_page, live_server, login, county_data):
    page = phone_page
    page.set_viewport_size(PHONE_390)
    login(page, "yaoju_a", PASSWORD)
    page.goto(f"{live_server.url}/commodities/transfers/{county_data['transfer'].pk}/receive/")
    lines = page.locator("[data-testid=lines]")
    assert "table-cards" in (lines.get_attribute("class") or "")
    assert page.locator("[data-testid=lines] thead").is_hidden()  # labels are on the cells
    received = page.locator("input[name=lines-0-received]")
    received.scroll_into_view_if_needed()
    assert received.is_visible() and received.bounding_box()["x"] + 10 < 390
    assert page.evaluate(REACHABLE) == []
    assert page.evaluate(OVERFLOW) <= 0


def test_the_search_box_is_in_view_and_the_other_filters_fold(
    phone_page, live_server, login, county_data
):
    page = phone_page
    page.set_viewport_size(PHONE_390)
    login(page, "field_a", PASSWORD)
    page.goto(f"{live_server.url}/people/")
    search = page.locator("[data-testid=filter-form] input[name=q]")
    assert search.is_visible()  # not behind 筛选
    assert page.locator("[data-testid=filter-form] [name=sex]").is_hidden()
    search.fill("王芳芳")
    search.press("Enter")
    page.wait_for_load_state("load")
    # after the search the other filters stay folded: the results come right after
    assert page.locator("[data-testid=filter-form] [name=sex]").is_hidden()
    first_row = page.locator("table tbody tr").first
    assert first_row.bounding_box()["y"] < 844
    page.locator("[data-testid=more-filters]").click()
    page.locator("[data-testid=filter-form] [name=sex]").wait_for(state="visible")
