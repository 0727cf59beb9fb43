"""The pages of the benefits app's changes part."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
