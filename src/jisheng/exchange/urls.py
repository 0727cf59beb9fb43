from django.urls import path

from jisheng.exchange import views

app_name = "exchange"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("sent/", views.outbox, name="outbox"),
    path("notices/<int:pk>/", views.detail, name="detail"),
    path("contact/", views.contact_find, name="contact_find"),
    path("contact/<int:arrival_id>/", views.contact_create, name="contact_create"),
    path("transfer/", views.transfer_page, name="transfer"),
    path("keys/", views.keys_page, name="keys"),
]
