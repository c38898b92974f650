from django.urls import path

app_name = "voice"

urlpatterns: list = []
