from django.contrib import admin

from onevoice.sso.models import GroupMapping, Identity, SsoSettings


class GroupMappingInline(admin.TabularInline):
    model = GroupMapping
    extra = 0


@admin.register(SsoSettings)
class SsoSettingsAdmin(admin.ModelAdmin):
    list_display = ["organization", "enabled", "issuer", "enforce", "require_totp", "updated_at"]
    list_filter = ["enabled", "enforce", "require_totp"]
    exclude = ["client_secret_encrypted"]
    readonly_fields = ["discovery", "discovered_at"]
    inlines = [GroupMappingInline]


@admin.register(Identity)
class IdentityAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "issuer", "subject", "last_login_at"]
    search_fields = ["user__email", "subject"]
    readonly_fields = ["user", "organization", "issuer", "subject", "created_at", "last_login_at"]
