"""The pages of the benefits app's flow part."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
