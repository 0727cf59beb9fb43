"""The registry's entry point to the Excel import page (``jisheng.core.views_import``).

The page, its background job, progress bar and error workbook are core's, one for every
importer kind; ``person_import`` keeps its URL name and address (``/people/import/``)
and opens it for the persons kind (households, couples and births are chosen there).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from jisheng.core.views_import import import_page
from jisheng.people.importers import PERSONS_IMPORTER


def person_import(request: HttpRequest) -> HttpResponse:
    """Upload a workbook of persons, households and couples, or births."""
    return import_page(request, kind=PERSONS_IMPORTER.kind)
