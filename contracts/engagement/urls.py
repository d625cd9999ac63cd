from contracts.engagement.intake.urls import urlpatterns as intake
from contracts.engagement.meetings.urls import urlpatterns as meetings
from contracts.engagement.notes.urls import urlpatterns as notes
from contracts.engagement.sessions.urls import urlpatterns as sessions

urlpatterns = [
    *sessions,
    *notes,
    *intake,
    *meetings,
]
