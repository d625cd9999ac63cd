from contracts.sponsor.log.urls import urlpatterns as log
from contracts.sponsor.portal.urls import urlpatterns as portal
from contracts.sponsor.programmes.urls import urlpatterns as programmes
from contracts.sponsor.requests.urls import urlpatterns as requests

urlpatterns = [*portal, *requests, *log, *programmes]
