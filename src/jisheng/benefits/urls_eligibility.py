"""The pages of the benefits app's eligibility part."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
