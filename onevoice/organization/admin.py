from django.contrib import admin

from onevoice.organization.models import Department, Invitation, Membership, Organization


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "model", "time_zone", "created_at"]
    search_fields = ["name", "slug"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "is_central_team"]
    list_filter = ["organization"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "role", "weekly_hours", "is_active"]
    list_filter = ["organization", "role", "is_active"]
    # Roles are changed in the app, where the last-administrator rule and the audit log apply.
    readonly_fields = ["role", "is_active"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "organization", "role", "created_at", "expires_at", "accepted_at", "revoked_at"]
    exclude = ["token_hash"]
    readonly_fields = ["accepted_at", "accepted_by", "revoked_at"]
