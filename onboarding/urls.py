from django.urls import path

from .views import imports, invitations, programmes

app_name = "onboarding"

urlpatterns = [
    path("", programmes.start, name="start"),
    # Invitations: the central team's, a site's people, and the link itself (opened signed out).
    path("invitations/", invitations.invitation_list, name="invitation_list"),
    path("invitations/<int:pk>/resend/", invitations.invitation_resend, name="invitation_resend"),
    path("invitations/<int:pk>/revoke/", invitations.invitation_revoke, name="invitation_revoke"),
    path("join/<str:token>/", invitations.invitation_accept, name="invitation_accept"),
    path("sites/<int:pk>/people/", invitations.site_people, name="site_people"),
    path("people/<int:pk>/make-lead/", invitations.membership_make_lead, name="membership_make_lead"),
    path("people/<int:pk>/remove/", invitations.membership_remove, name="membership_remove"),
    # Programme years and their offers.
    path("programmes/", programmes.programme_list, name="programme_list"),
    path("programmes/new/", programmes.programme_create, name="programme_create"),
    path("programmes/<int:pk>/offers/new/", programmes.offer_create, name="offer_create"),
    path("offers/<int:pk>/", programmes.offer_edit, name="offer_edit"),
    path("offers/<int:pk>/retire/", programmes.offer_retire, name="offer_retire"),
    # Bulk import from a spreadsheet.
    path("imports/", imports.import_start, name="import_start"),
    path("imports/<int:pk>/", imports.import_detail, name="import_detail"),
    path("imports/<int:pk>/run/", imports.import_run, name="import_run"),
    path("imports/templates/<str:kind>.<str:extension>", imports.import_template, name="import_template"),
]
