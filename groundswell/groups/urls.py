"""/groups/: finding and joining groups (`views.finding`, `views.membership`) and leaders'
tools (`views.leading`)."""

from groundswell.groups.views import finding, leading, membership

app_name = "groups"
urlpatterns = [*finding.urlpatterns, *membership.urlpatterns, *leading.urlpatterns]
