"""Views for the coach's home page and the people of their practice."""

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db import connection, models
from django.db.models import Count, Q
from django.db.models.functions import Lower
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from coaching.forms import ClientForm, OrganisationForm, SponsorContactForm
from coaching.http import CoachRequest, query_id, query_text
from coaching.models import Archivable, Client, Organisation, SponsorContact, User
from coaching.scoping import get_owned_or_404
from contracts.models import Agreement, AgreementStatus, OutgoingEmail, Signer, SignerStatus
from contracts.sponsor.requests.services import needs_attention as requests_needing_attention

PAGE_SIZE = 25


def home(request: HttpRequest) -> HttpResponse:
    coach = request.user
    if not isinstance(coach, User):
        return render(request, "coaching/landing.html")
    today = timezone.localdate()
    agreements = Agreement.objects.for_coach(coach)
    signed = agreements.filter(status=AgreementStatus.SIGNED)
    # Being amended, a version stays in force: its engagement still ends on its date.
    in_force = agreements.shown_as("in_force")
    lead = coach.profile.review_lead_days
    # Each list reads only the columns it shows: an agreement's row carries every term.
    attention = {
        "reviews": signed.filter(next_review_on__lte=today + timedelta(days=lead))
        .exclude(end_date__lt=today)
        .only("pk", "title", "next_review_on")
        .order_by("next_review_on")[:10],
        "waiting": agreements.filter(
            status__in=[AgreementStatus.SENT, AgreementStatus.PARTLY_SIGNED]
        )
        .with_in_force()
        .only("pk", "title", "status", "updated_at")
        .order_by("updated_at")[:10],
        "requests": list(
            requests_needing_attention(coach).only(
                "pk",
                "agreement_id",
                "kind",
                "status",
                "created_at",
                "agreement__client__name",
                "contact__name",
            )[:10]
        ),
        "undelivered": OutgoingEmail.objects.needing_attention()
        .filter(agreement__coach=coach)
        .select_related("agreement", "signer")
        .only(
            "pk",
            "kind",
            "agreement_id",
            "agreement__title",
            "signer__name",
            "signer__role",
            "last_answer",
            "last_attempt_at",
        )
        .order_by("-last_attempt_at")[:10],
        "declined": Signer.objects.filter(
            version__agreement__coach=coach,
            version__agreement__status=AgreementStatus.DECLINED,
            status=SignerStatus.DECLINED,
            decline_dealt_with_at__isnull=True,
        )
        .select_related("version__agreement")
        .only(
            "pk",
            "role",
            "name",
            "declined_at",
            "decline_reason",
            "version__agreement_id",
            "version__agreement__title",
        )
        .order_by("-declined_at")[:10],
        "ending": in_force.filter(end_date__gte=today, end_date__lte=today + timedelta(days=60))
        .only("pk", "title", "end_date")
        .order_by("end_date")[:10],
    }
    # A draft is a new agreement, or an amendment while a version stays in force.
    drafts = (
        agreements.filter(status=AgreementStatus.DRAFT)
        .with_in_force()
        .aggregate(
            drafts=Count("pk", filter=Q(in_force_exists=False)),
            amendments=Count("pk", filter=Q(in_force_exists=True)),
        )
    )
    counts = {
        "clients": Client.objects.for_coach(coach).active().count(),
        "organisations": Organisation.objects.for_coach(coach).active().count(),
        "contacts": SponsorContact.objects.for_coach(coach).active().count(),
        **drafts,
    }
    return render(request, "coaching/home.html", {"counts": counts, "today": today, **attention})


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def _list_page[M: models.Model](
    request: HttpRequest, queryset: models.QuerySet[M], *fields: str
) -> dict[str, Any]:
    """Search, the archived filter and pagination, shared by every people list."""
    query = query_text(request, "q")
    archived = request.GET.get("archived") == "1"
    queryset = queryset.filter(archived_at__isnull=not archived)
    if query:
        condition = Q()
        for field in fields:
            condition |= Q(**{f"{field}__icontains": query})
        queryset = queryset.filter(condition)
    page: Page[M] = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return {"page": page, "q": query, "archived": archived}


def _organisation_from_query(request: CoachRequest) -> Organisation | None:
    """The organisation named by ?organisation= (from its page's "Add" links), if it is ours."""
    organisation_id = query_id(request, "organisation")
    if organisation_id is None:
        return None
    return Organisation.objects.for_coach(request.user).active().filter(pk=organisation_id).first()


def _set_archived(request: HttpRequest, item: Archivable, *, archived: bool) -> None:
    if archived:
        item.archive()
        messages.success(request, f"{item} is archived. You can restore it at any time.")
    else:
        item.restore()
        messages.success(request, f"{item} is restored.")


# Clients


@login_required
def client_list(request: CoachRequest) -> HttpResponse:
    clients = Client.objects.for_coach(request.user).select_related("organisation")
    context = _list_page(request, clients, "name", "email", "job_title", "organisation__name")
    return render(request, "coaching/client_list.html", context)


@login_required
def client_create(request: CoachRequest) -> HttpResponse:
    initial = {"organisation": _organisation_from_query(request)}
    form = ClientForm(
        request.POST if request.method == "POST" else None, coach=request.user, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        client = form.save()
        messages.success(request, f"{client.name} is added to your clients.")
        return redirect("coaching:client-detail", pk=client.pk)
    return render(request, "coaching/person_form.html", {"form": form, "kind": "client"})


@login_required
def client_detail(request: CoachRequest, pk: int) -> HttpResponse:
    client = get_owned_or_404(Client.objects.select_related("organisation"), request.user, pk=pk)
    agreements = (
        Agreement.objects.for_coach(request.user)
        .filter(client=client)
        .with_in_force()
        .select_related("organisation")
        .order_by("-created_at", "-pk")
    )
    return render(
        request, "coaching/client_detail.html", {"client": client, "agreements": agreements}
    )


@login_required
def client_edit(request: CoachRequest, pk: int) -> HttpResponse:
    client = get_owned_or_404(Client, request.user, pk=pk)
    form = ClientForm(
        request.POST if request.method == "POST" else None, instance=client, coach=request.user
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"{client.name}'s details are saved.")
        return redirect("coaching:client-detail", pk=client.pk)
    return render(
        request, "coaching/person_form.html", {"form": form, "kind": "client", "object": client}
    )


@login_required
@require_POST
def client_archive(request: CoachRequest, pk: int) -> HttpResponse:
    client = get_owned_or_404(Client, request.user, pk=pk)
    _set_archived(request, client, archived=request.POST.get("archived") != "0")
    return redirect("coaching:client-detail", pk=client.pk)


# Sponsor organisations


@login_required
def organisation_list(request: CoachRequest) -> HttpResponse:
    organisations = (
        Organisation.objects.for_coach(request.user)
        .annotate(
            contact_count=Count(
                "contacts", filter=Q(contacts__archived_at__isnull=True), distinct=True
            ),
            client_count=Count(
                "clients", filter=Q(clients__archived_at__isnull=True), distinct=True
            ),
        )
        .order_by(Lower("name"))
    )
    context = _list_page(request, organisations, "name", "address")
    return render(request, "coaching/organisation_list.html", context)


@login_required
def organisation_create(request: CoachRequest) -> HttpResponse:
    form = OrganisationForm(request.POST if request.method == "POST" else None, coach=request.user)
    if request.method == "POST" and form.is_valid():
        organisation = form.save()
        messages.success(
            request, f"{organisation.name} is added. Now add the people you deal with there."
        )
        return redirect("coaching:organisation-detail", pk=organisation.pk)
    return render(request, "coaching/person_form.html", {"form": form, "kind": "organisation"})


@login_required
def organisation_detail(request: CoachRequest, pk: int) -> HttpResponse:
    organisation = get_owned_or_404(Organisation, request.user, pk=pk)
    return render(
        request,
        "coaching/organisation_detail.html",
        {
            "organisation": organisation,
            "contacts": organisation.contacts.order_by("archived_at", "name"),
            "clients": organisation.clients.order_by("archived_at", "name"),
        },
    )


@login_required
def organisation_edit(request: CoachRequest, pk: int) -> HttpResponse:
    organisation = get_owned_or_404(Organisation, request.user, pk=pk)
    form = OrganisationForm(
        request.POST if request.method == "POST" else None,
        instance=organisation,
        coach=request.user,
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"{organisation.name} is saved.")
        return redirect("coaching:organisation-detail", pk=organisation.pk)
    return render(
        request,
        "coaching/person_form.html",
        {"form": form, "kind": "organisation", "object": organisation},
    )


@login_required
@require_POST
def organisation_archive(request: CoachRequest, pk: int) -> HttpResponse:
    organisation = get_owned_or_404(Organisation, request.user, pk=pk)
    _set_archived(request, organisation, archived=request.POST.get("archived") != "0")
    return redirect("coaching:organisation-detail", pk=organisation.pk)


# Sponsor contacts


@login_required
def contact_list(request: CoachRequest) -> HttpResponse:
    contacts = SponsorContact.objects.for_coach(request.user).select_related("organisation")
    context = _list_page(request, contacts, "name", "email", "job_title", "organisation__name")
    return render(request, "coaching/contact_list.html", context)


@login_required
def contact_create(request: CoachRequest) -> HttpResponse:
    initial = {"organisation": _organisation_from_query(request)}
    form = SponsorContactForm(
        request.POST if request.method == "POST" else None, coach=request.user, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        contact = form.save()
        messages.success(request, f"{contact.name} is added to {contact.organisation.name}.")
        return redirect("coaching:organisation-detail", pk=contact.organisation_id)
    return render(request, "coaching/person_form.html", {"form": form, "kind": "contact"})


@login_required
def contact_edit(request: CoachRequest, pk: int) -> HttpResponse:
    contact = get_owned_or_404(SponsorContact, request.user, pk=pk)
    form = SponsorContactForm(
        request.POST if request.method == "POST" else None, instance=contact, coach=request.user
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"{contact.name}'s details are saved.")
        return redirect("coaching:organisation-detail", pk=contact.organisation_id)
    return render(
        request, "coaching/person_form.html", {"form": form, "kind": "contact", "object": contact}
    )


@login_required
@require_POST
def contact_archive(request: CoachRequest, pk: int) -> HttpResponse:
    contact = get_owned_or_404(SponsorContact, request.user, pk=pk)
    _set_archived(request, contact, archived=request.POST.get("archived") != "0")
    return redirect("coaching:organisation-detail", pk=contact.organisation_id)
