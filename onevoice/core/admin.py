from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from onevoice.core.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit log is append-only, in the admin too."""

    list_display = ["created_at", "organization", "actor_label", "verb", "object_repr", "ip_address"]
    list_filter = ["verb", "organization"]
    search_fields = ["actor_label", "object_repr", "verb"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
