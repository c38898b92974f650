"""Contacts, DSGVO and retention, and forwarding a case to an expert, under /o/<org>/inbox/contacts/."""

from django.urls import path

from onevoice.inbox import contacts_views, expert_views

urlpatterns = [
    path("", contacts_views.contacts, name="contacts"),
    path("privacy/", contacts_views.privacy_settings, name="privacy"),
    path("<uuid:contact_id>/", contacts_views.contact, name="contact"),
    path("<uuid:contact_id>/merge/", contacts_views.contact_merge, name="contact-merge"),
    path("<uuid:contact_id>/export/", contacts_views.contact_export, name="contact-export"),
    path("<uuid:contact_id>/erase/", contacts_views.contact_erase, name="contact-erase"),
    path("forward/<uuid:case_id>/", expert_views.case_forward, name="case-forward"),
    path("forward/<uuid:forward_id>/revoke/", expert_views.forward_revoke, name="forward-revoke"),
]
