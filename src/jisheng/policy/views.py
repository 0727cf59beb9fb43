"""Read-only pages of the policy packs: the list, a pack, the diff between versions."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from jisheng.core.web import require_perm
from jisheng.policy import presentation, selectors

VIEW_PACK = "policy.view_policypack"


def _unit(request: HttpRequest):
    return getattr(request, "working_unit", None) or getattr(request.user, "unit", None)


@require_safe
def pack_list(request: HttpRequest) -> HttpResponse:
    require_perm(request, VIEW_PACK)
    unit = _unit(request)
    return render(
        request,
        "policy/pack_list.html",
        {
            "packs": selectors.pack_list(user=request.user),
            "unit": unit,
            "in_force": selectors.version_in_force(unit),
        },
    )


def _pack_or_404(request: HttpRequest, code: str):
    pack = selectors.pack_get(user=request.user, code=code)
    if pack is None:
        raise Http404(_("Not found."))
    return pack


@require_safe
def pack_detail(request: HttpRequest, code: str) -> HttpResponse:
    require_perm(request, VIEW_PACK)
    pack = _pack_or_404(request, code)
    versions = selectors.pack_versions(user=request.user, pack=pack)
    shown = None
    wanted = request.GET.get("version")
    if wanted:
        shown = next((v for v in versions if str(v.pk) == wanted), None)
        if shown is None:
            raise Http404(_("Not found."))
    shown = shown or selectors.current_version(user=request.user, pack=pack) or versions[0]
    content = selectors.schema_of(shown)
    return render(
        request,
        "policy/pack_detail.html",
        {
            "pack": pack,
            "shown": shown,
            "content": content,
            "s": presentation.sections(content),
            "versions": versions,
        },
    )


@require_safe
def version_diff(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    require_perm(request, VIEW_PACK)
    pack = _pack_or_404(request, code)
    version = next(
        (v for v in selectors.pack_versions(user=request.user, pack=pack) if v.pk == pk), None
    )
    if version is None:
        raise Http404(_("Not found."))
    previous = selectors.previous_version(version)
    return render(
        request,
        "policy/version_diff.html",
        {
            "pack": pack,
            "version": version,
            "previous": previous,
            "rows": selectors.yaml_diff(previous, version),
        },
    )
