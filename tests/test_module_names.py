"""One naming rule for the sub-areas of an app (issue 14 item 6).

An area's rules live in a module named by the area (``services/campaigns.py``,
``commodities/counts.py``, ``people/family.py``); every other layer of that area takes
the layer as a prefix: ``views_campaigns.py``, ``urls_counts.py``, ``api_campaigns.py``,
``schemas_campaigns.py``, ``forms_family.py``, ``selectors_campaigns.py``. No module is
named like its app (``services/services.py`` is ``services/followup.py``).
"""

from __future__ import annotations

import pathlib
import re

SRC = pathlib.Path(__file__).resolve().parents[1] / "src" / "jisheng"
LAYERS = ("views", "urls", "api", "schemas", "forms", "selectors", "services", "tasks")


def _apps() -> list[pathlib.Path]:
    return [p.parent for p in SRC.glob("*/apps.py")]


def _modules(app: pathlib.Path) -> list[str]:
    return [p.stem for p in app.glob("*.py")]


def test_no_module_is_named_like_its_app():
    clashes = [f"{app.name}/{app.name}.py" for app in _apps() if (app / f"{app.name}.py").exists()]
    assert clashes == []


def test_the_layer_comes_first_in_an_areas_module_name():
    suffixed = re.compile(rf"^[a-z]+_({'|'.join(LAYERS)})$")
    wrong = [f"{app.name}/{m}.py" for app in _apps() for m in _modules(app) if suffixed.match(m)]
    assert wrong == [], "name it <layer>_<area>.py (views_campaigns.py, selectors_family.py)"


def test_the_rule_is_not_vacuous():
    # the prefixed modules the rule describes exist (so the tests above read real files)
    names = {m for app in _apps() for m in _modules(app)}
    assert {"views_campaigns", "urls_counts", "selectors_campaigns", "selectors_family"} <= names
