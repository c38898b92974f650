from __future__ import annotations

import pytest

from onevoice.organization.roles import ROLE_CAPABILITIES, Capability, Role

C = Capability

# The matrix spelled out role by role, so a change to roles.py must be made here too, on purpose.
EXPECTED = {
    Role.ADMIN: set(Capability),
    Role.SMM: set(Capability) - {C.MANAGE_SETTINGS},
    Role.CM: {
        C.VIEW_PLAN,
        C.CREATE_CONTENT,
        C.SUBMIT,
        C.COMMENT,
        C.PUBLISH,
        C.REPLY,
        C.MODERATE,
        C.VIEW_REPORTS,
    },
    Role.CONTRIBUTOR: {C.VIEW_PLAN, C.CREATE_CONTENT, C.SUBMIT, C.COMMENT},
    Role.REVIEWER: {C.VIEW_PLAN, C.COMMENT, C.APPROVE},
    Role.VIEWER: {C.VIEW_PLAN, C.VIEW_REPORTS},
}


class TestCapabilityMatrix:
    @pytest.mark.parametrize("role", list(Role))
    def test_each_role_has_exactly_its_capabilities(self, role: Role) -> None:
        assert set(ROLE_CAPABILITIES[role]) == EXPECTED[role]

    def test_only_admin_and_smm_manage_members_and_see_the_audit_log(self) -> None:
        for capability in (C.MANAGE_MEMBERS, C.VIEW_AUDIT):
            holders = {role for role, caps in ROLE_CAPABILITIES.items() if capability in caps}
            assert holders == {Role.ADMIN, Role.SMM}

    def test_reviewers_and_viewers_cannot_publish(self) -> None:
        assert C.PUBLISH not in ROLE_CAPABILITIES[Role.REVIEWER]
        assert C.PUBLISH not in ROLE_CAPABILITIES[Role.VIEWER]
        assert C.PUBLISH not in ROLE_CAPABILITIES[Role.CONTRIBUTOR]


class TestMembershipCan:
    def test_an_inactive_membership_can_do_nothing(self, personas) -> None:
        personas.cm.is_active = False
        assert personas.cm.capabilities == frozenset()
        assert not personas.cm.can(C.VIEW_PLAN)
