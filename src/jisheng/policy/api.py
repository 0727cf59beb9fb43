"""``/api/v1/policy``: policy packs (read-only).

``GET /packs`` lists the packs the caller can see with where each applies and the
version in force today; ``GET /packs/{code}`` returns the content of the pack's current
version (``?unit=CODE``: the version of this pack that applies to that unit).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema

from jisheng.api.errors import ApiError
from jisheng.api.schemas import SCOPED_ERRORS
from jisheng.api.security import require_perm
from jisheng.orgs import selectors as org_selectors
from jisheng.policy import selectors

router = Router(tags=["policy"])

VIEW_PACK = "policy.view_policypack"


class VersionOut(Schema):
    version: str
    effective_from: datetime.date
    unit_code: str | None
    unit_name: str | None
    sha256: str
    loaded_at: datetime.datetime


class AttachmentOut(Schema):
    unit_code: str | None
    unit_name: str | None
    in_force: VersionOut | None
    upcoming: VersionOut | None


class PackOut(Schema):
    code: str
    name: str
    attachments: list[AttachmentOut]


class PackDetailOut(Schema):
    code: str
    name: str
    version: VersionOut
    content: dict[str, Any]


def _version_out(v) -> dict[str, Any] | None:
    if v is None:
        return None
    return {
        "version": v.version,
        "effective_from": v.effective_from,
        "unit_code": v.unit.code if v.unit else None,
        "unit_name": v.unit.name if v.unit else None,
        "sha256": v.sha256,
        "loaded_at": v.loaded_at,
    }


@router.get("/packs", response={200: list[PackOut], **SCOPED_ERRORS}, summary="List policy packs")
def pack_list(request: HttpRequest):
    """Packs visible to the caller: the defaults, those of the caller's unit and its
    ancestors, and those attached below it."""
    require_perm(request, VIEW_PACK)
    return [
        {
            "code": entry["pack"].code,
            "name": entry["pack"].name,
            "attachments": [
                {
                    "unit_code": slot["unit"].code if slot["unit"] else None,
                    "unit_name": slot["unit"].name if slot["unit"] else None,
                    "in_force": _version_out(slot["in_force"]),
                    "upcoming": _version_out(slot["upcoming"]),
                }
                for slot in entry["attachments"]
            ],
        }
        for entry in selectors.pack_list(user=request.auth)
    ]


@router.get(
    "/packs/{code}", response={200: PackDetailOut, **SCOPED_ERRORS}, summary="One policy pack"
)
def pack_detail(request: HttpRequest, code: str, unit: str | None = None):
    """The content of the pack's version in force today (validated, as JSON)."""
    require_perm(request, VIEW_PACK)
    user = request.auth
    pack = selectors.pack_get(user=user, code=code)
    if pack is None:
        raise Http404(_("Not found."))
    if unit:
        target = org_selectors.unit_get(user=user, code=unit)
        version = selectors.version_in_force(target)
        if version is None or version.pack_id != pack.pk:
            raise ApiError(404, "not_found", _("This pack is not in force for that unit."))
    else:
        version = selectors.current_version(user=user, pack=pack)
    if version is None:
        raise ApiError(404, "not_found", _("This pack has no version in force yet."))
    return {
        "code": pack.code,
        "name": pack.name,
        "version": _version_out(version),
        "content": selectors.schema_of(version).model_dump(mode="json"),
    }
