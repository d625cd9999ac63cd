from django.contrib import admin

from contracts.models import Agreement, AgreementTemplate


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin):
    list_display = ("title", "coach", "client", "organisation", "status", "start_date", "end_date")
    list_filter = ("status", "start_date", ("organisation", admin.EmptyFieldListFilter))
    search_fields = ("title", "client__name", "organisation__name", "coach__email")
    list_select_related = ("coach", "client", "organisation")
    raw_id_fields = ("coach", "client", "organisation", "sponsor_signatory")
    filter_horizontal = ("stakeholders",)
    readonly_fields = ("template_name", "last_step", "created_at", "updated_at")


@admin.register(AgreementTemplate)
class AgreementTemplateAdmin(admin.ModelAdmin):
    list_display = ("name", "coach", "updated_at")
    search_fields = ("name", "coach__email")
    list_select_related = ("coach",)
    raw_id_fields = ("coach",)
