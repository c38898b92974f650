from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InboxConfig(AppConfig):
    name = "onevoice.inbox"
    label = "inbox"
    verbose_name = _("Community inbox")

    def ready(self) -> None:
        from onevoice.inbox import routing
        from onevoice.inbox.tasks_casework import enqueue_hide

        # Routing rules that say "hide" hand their cases to the worker, which calls the network.
        if enqueue_hide not in routing.HIDE_ON_NETWORK:
            routing.HIDE_ON_NETWORK.append(enqueue_hide)
