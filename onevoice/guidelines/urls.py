from django.urls import URLPattern

app_name = "guidelines"

urlpatterns: list[URLPattern] = []
