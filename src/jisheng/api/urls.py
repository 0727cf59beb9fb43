"""The REST API root: /api/v1/ (django-ninja), OpenAPI at /api/v1/openapi.json."""

from ninja import NinjaAPI

api = NinjaAPI(
    title="jisheng API",
    version="1",
    urls_namespace="api",
    description="人口与计划生育工作管理系统 REST API. Token auth: `Authorization: Bearer <token>`.",
)
