"""The benefits app's pages, one module per part (included under ``benefits/``)."""

from jisheng.benefits import urls_changes, urls_eligibility, urls_flow, urls_payments

app_name = "benefits"
urlpatterns = [
    *urls_eligibility.urlpatterns,
    *urls_flow.urlpatterns,
    *urls_payments.urlpatterns,
    *urls_changes.urlpatterns,
]
