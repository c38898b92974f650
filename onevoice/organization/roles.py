"""Roles and what they may do: the one place where the role→capability matrix lives, as data."""

from __future__ import annotations

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    SMM = "smm", _("Social Media Manager")
    CM = "cm", _("Community Manager")
    CONTRIBUTOR = "contributor", _("Contributor (department)")
    REVIEWER = "reviewer", _("Reviewer")
    VIEWER = "viewer", _("Viewer (management)")


class Capability(models.TextChoices):
    VIEW_PLAN = "view_plan", _("See the editorial plan")
    CREATE_CONTENT = "create_content", _("Create content and requests")
    SUBMIT = "submit", _("Submit for review")
    COMMENT = "comment", _("Comment and give feedback")
    APPROVE = "approve", _("Approve")
    PUBLISH = "publish", _("Publish")
    MANAGE_PUBLISHING = "manage_publishing", _("Pause all publishing, re-drive or cancel what is stuck")
    MANAGE_INBOX = "manage_inbox", _("Set up the inbox: routing, SLA, tags, approvals, spike alert")
    REPLY = "reply", _("Reply to the community")
    MODERATE = "moderate", _("Moderate")
    MANAGE_CHANNELS = "manage_channels", _("Manage channels")
    MANAGE_STRATEGY = "manage_strategy", _("Manage strategy and guidelines")
    MANAGE_MEMBERS = "manage_members", _("Manage people and departments")
    MANAGE_SETTINGS = "manage_settings", _("Change organisation settings")
    VIEW_REPORTS = "view_reports", _("See reports")
    VIEW_AUDIT = "view_audit", _("See the audit log")


C = Capability
StrOrPromise = str | Promise

ROLE_CAPABILITIES: dict[Role, frozenset[Capability]] = {
    # IT/admin holds everything, so a solo organisation's one person can run it all.
    Role.ADMIN: frozenset(Capability),
    Role.SMM: frozenset(Capability) - {C.MANAGE_SETTINGS},
    Role.CM: frozenset(
        {C.VIEW_PLAN, C.CREATE_CONTENT, C.SUBMIT, C.COMMENT, C.PUBLISH, C.REPLY, C.MODERATE, C.VIEW_REPORTS}
    ),
    Role.CONTRIBUTOR: frozenset({C.VIEW_PLAN, C.CREATE_CONTENT, C.SUBMIT, C.COMMENT}),
    # Reviewers (legal, works council, department heads) give feedback or approve, nothing else.
    Role.REVIEWER: frozenset({C.VIEW_PLAN, C.COMMENT, C.APPROVE}),
    Role.VIEWER: frozenset({C.VIEW_PLAN, C.VIEW_REPORTS}),
}

ROLE_DESCRIPTIONS: dict[Role, StrOrPromise] = {
    Role.ADMIN: _("Installs and configures OneVoice, connects networks and manages everything."),
    Role.SMM: _(
        "Sets strategy and guidelines across departments, approves content and reports to management."
    ),
    Role.CM: _(
        "Plans the editorial calendar, creates and publishes content and runs the community dialogue."
    ),
    Role.CONTRIBUTOR: _("Brings topics and material from a department and answers expert questions."),
    Role.REVIEWER: _(
        "Gives feedback on or approves certain content, e.g. legal, works council, department head."
    ),
    Role.VIEWER: _("Reads plans and results, e.g. management."),
}


def capabilities_of(role: str) -> frozenset[Capability]:
    return ROLE_CAPABILITIES.get(Role(role), frozenset())
