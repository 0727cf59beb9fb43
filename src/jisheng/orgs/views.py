from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from jisheng.orgs import selectors


@login_required
def unit_tree(request):
    roots = selectors.unit_root_for(request.user)
    return render(request, "orgs/unit_tree.html", {"roots": roots})


@login_required
def unit_detail(request, code: str):
    unit = selectors.unit_get(user=request.user, code=code)
    return render(request, "orgs/unit_detail.html", {"unit": unit})
