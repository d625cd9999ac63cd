from django.apps import AppConfig


class CoachingConfig(AppConfig):
    name = "coaching"
    verbose_name = "Coaches and people"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from coaching.devices import session_started

        user_logged_in.connect(session_started, dispatch_uid="coaching.devices.session_started")
