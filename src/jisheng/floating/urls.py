"""The floating app's pages, one module per part (included under ``floating/``)."""

from jisheng.floating import urls_arrivals, urls_housing, urls_outflows

app_name = "floating"
urlpatterns = [
    *urls_arrivals.urlpatterns,
    *urls_outflows.urlpatterns,
    *urls_housing.urlpatterns,
]
