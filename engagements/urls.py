from django.urls import path, register_converter

from . import views


class FeedTokenConverter:
    """A calendar feed's secret: URL-safe base64 (secrets.token_urlsafe), up to its column's 64 characters. Any
    other character (a pasted NUL, a non-breaking space) matches no feed and never reaches the database."""

    regex = "[A-Za-z0-9_-]{1,64}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(FeedTokenConverter, "feed_token")

app_name = "engagements"

urlpatterns = [
    path("requests/new/<int:site_pk>/", views.request_create, name="request_create"),
    path("requests/queue/", views.queue, name="queue"),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("requests/<int:pk>/withdraw/", views.request_withdraw, name="request_withdraw"),
    path("requests/<int:pk>/match/", views.request_match, name="request_match"),
    path("requests/<int:pk>/choose/", views.request_choose, name="request_choose"),
    path("requests/<int:pk>/decline/", views.request_decline, name="request_decline"),
    path("requests/<int:pk>/chemistry/", views.chemistry_ask, name="chemistry_ask"),
    path("chemistry/<int:pk>/", views.chemistry_detail, name="chemistry_detail"),
    path("proposals/<int:pk>/confirm/", views.proposal_confirm, name="proposal_confirm"),
    path("proposals/<int:pk>/cannot-take-on/", views.proposal_cannot_take_on, name="proposal_cannot_take_on"),
    path("engagements/<int:pk>/", views.engagement_detail, name="engagement_detail"),
    path("engagements/<int:pk>/agreement/", views.agreement_edit, name="agreement_edit"),
    path("engagements/<int:pk>/agreement/confirm/", views.agreement_confirm, name="agreement_confirm"),
    path("engagements/<int:pk>/pause/", views.engagement_pause, name="engagement_pause"),
    path("engagements/<int:pk>/resume/", views.engagement_resume, name="engagement_resume"),
    path("engagements/<int:pk>/closing/", views.engagement_start_closing, name="engagement_start_closing"),
    path("engagements/<int:pk>/close/", views.engagement_close, name="engagement_close"),
    path("engagements/<int:pk>/end/", views.engagement_end, name="engagement_end"),
    path("engagements/<int:pk>/carry-over/", views.engagement_carry_over, name="engagement_carry_over"),
    path("engagements/<int:pk>/extra-days/", views.engagement_extra_days, name="engagement_extra_days"),
    path("engagements/<int:pk>/diagnostic/", views.diagnostic_detail, name="diagnostic_detail"),
    path("engagements/<int:pk>/diagnostic/edit/", views.diagnostic_edit, name="diagnostic_edit"),
    path("engagements/<int:pk>/diagnostic/share/", views.diagnostic_share, name="diagnostic_share"),
    path(
        "engagements/<int:pk>/diagnostic/share/<int:share_pk>/stop/",
        views.diagnostic_unshare,
        name="diagnostic_unshare",
    ),
    path("engagements/<int:pk>/sessions/", views.session_list, name="session_list"),
    path("engagements/<int:pk>/sessions/new/", views.session_create, name="session_create"),
    path("engagements/<int:pk>/plan/", views.planned_session_create, name="planned_session_create"),
    path("planned/<int:pk>/", views.planned_session_edit, name="planned_session_edit"),
    path("planned/<int:pk>/cancel/", views.planned_session_cancel, name="planned_session_cancel"),
    path("planned/<int:pk>/end-series/", views.series_end, name="series_end"),
    path("engagements/<int:pk>/private-notes/", views.private_note_list, name="private_note_list"),
    path("engagements/<int:pk>/private-notes/new/", views.private_note_create, name="private_note_create"),
    path("private-notes/<int:pk>/", views.private_note_edit, name="private_note_edit"),
    path("private-notes/download/", views.private_notes_download, name="private_notes_download"),
    path("private-notes/set-up/", views.notes_setup, name="notes_setup"),
    path("private-notes/passphrase/", views.notes_passphrase, name="notes_passphrase"),
    path("engagements/<int:pk>/shared/", views.shared_notes, name="shared_notes"),
    path("actions/<int:pk>/toggle/", views.action_toggle, name="action_toggle"),
    path("engagements/<int:pk>/access-log/", views.access_log, name="access_log"),
    path("calendar/", views.calendar_settings, name="calendar_settings"),
    path("calendar/turn-on/", views.calendar_turn_on, name="calendar_turn_on"),
    path("calendar/turn-off/", views.calendar_turn_off, name="calendar_turn_off"),
    path("calendar/<feed_token:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("engagements/<int:pk>/feedback/new/", views.feedback_create, name="feedback_create"),
    path("engagements/<int:pk>/feedback/", views.feedback_list, name="feedback_list"),
    path("engagements/<int:pk>/close-out/", views.close_out_review, name="close_out_review"),
    path("enablers/me/", views.enabler_profile_edit, name="enabler_profile_edit"),
    path("enablers/pool/", views.enabler_pool, name="enabler_pool"),
    path("enablers/<int:pk>/manage/", views.enabler_manage, name="enabler_manage"),
    path("enablers/<int:pk>/deactivate/", views.enabler_deactivate, name="enabler_deactivate"),
    path("enablers/<int:pk>/reactivate/", views.enabler_reactivate, name="enabler_reactivate"),
    path("enablers/<int:pk>/", views.enabler_profile_detail, name="enabler_profile_detail"),
]
