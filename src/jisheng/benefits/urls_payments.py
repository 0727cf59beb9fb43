"""The pages of the benefits app's payments part."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
