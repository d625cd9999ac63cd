"""Every URL of the agreements app, one list per capability, under the "contracts" namespace
(the names and paths of links already emailed never change)."""

from contracts.documents.urls import urlpatterns as documents
from contracts.drafting.urls import urlpatterns as drafting
from contracts.engagement.urls import urlpatterns as engagement
from contracts.overview.urls import urlpatterns as overview
from contracts.records.urls import urlpatterns as records
from contracts.reviews.urls import urlpatterns as reviews
from contracts.signing.urls import urlpatterns as signing
from contracts.sponsor.urls import urlpatterns as sponsor

app_name = "contracts"

urlpatterns = [
    *drafting,
    *signing,
    *documents,
    *reviews,
    *engagement,
    *sponsor,
    *overview,
    *records,
]
