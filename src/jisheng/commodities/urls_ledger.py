"""Ledger pages: stores, stock, movements, documents, the ledger and the products."""

from django.urls import path

from jisheng.commodities import views_ledger as views

urlpatterns = [
    path("", views.store_list, name="stores"),
    path("stores/<int:pk>/", views.store_detail, name="store"),
    path("stores/<int:pk>/receipt/", views.receipt_create, name="receipt"),
    path("stores/<int:pk>/transfer/", views.transfer_create, name="transfer"),
    path("stores/<int:pk>/issue/", views.issue_create, name="issue"),
    path("stores/<int:pk>/write-off/", views.write_off_create, name="write_off"),
    path("stores/<int:pk>/ledger/", views.ledger, name="ledger"),
    path("transfers/<int:pk>/receive/", views.transfer_receive, name="transfer_receive"),
    path("documents/<int:pk>/", views.document_detail, name="document"),
    path("documents/<int:pk>/print/", views.document_print, name="document_print"),
    path("documents/<int:pk>/reverse/", views.document_reverse, name="document_reverse"),
    path("products/", views.product_list, name="products"),
]
