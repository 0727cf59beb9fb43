"""The pages of the benefits app's payments part."""

from django.urls import URLPattern, path

from jisheng.benefits import views_payments as views

urlpatterns: list[URLPattern] = [
    path("payments/", views.roster_list, name="roster_list"),
    path("payments/<int:pk>/", views.roster, name="roster"),
    path("payments/<int:pk>/xlsx/", views.roster_xlsx, name="roster_xlsx"),
    path("payments/<int:pk>/build/", views.roster_build, name="roster_build"),
    path("payments/<int:pk>/export/", views.bank_export, name="bank_export"),
    path("payments/<int:pk>/return/", views.bank_return, name="bank_return"),
    path("payments/<int:pk>/close/", views.batch_close, name="batch_close"),
    path("bank-files/<int:pk>/", views.bankfile_detail, name="bankfile_detail"),
    path("payments/failed/", views.failed_list, name="failed_list"),
    path("payments/failed/<int:pk>/", views.failure_handle, name="failure_handle"),
    path("accounts/<int:pk>/", views.account_create, name="account_create"),
]
