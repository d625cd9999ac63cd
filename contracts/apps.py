from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = "Agreements"

    def ready(self) -> None:
        from contracts.engagement import checks  # noqa: F401 (registers the checks)
