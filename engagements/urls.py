from django.urls import path, register_converter

from .views import changes, closeout, enablers, engagement, notes, planning, requests, sessions


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
    path("requests/new/<int:site_pk>/", requests.request_create, name="request_create"),
    path("requests/queue/", requests.queue, name="queue"),
    path("requests/<int:pk>/", requests.request_detail, name="request_detail"),
    path("requests/<int:pk>/withdraw/", requests.request_withdraw, name="request_withdraw"),
    path("requests/<int:pk>/match/", requests.request_match, name="request_match"),
    path("requests/<int:pk>/choose/", requests.request_choose, name="request_choose"),
    path("requests/<int:pk>/decline/", requests.request_decline, name="request_decline"),
    path("requests/<int:pk>/chemistry/", requests.chemistry_ask, name="chemistry_ask"),
    path("chemistry/<int:pk>/", changes.chemistry_detail, name="chemistry_detail"),
    path("proposals/<int:pk>/confirm/", requests.proposal_confirm, name="proposal_confirm"),
    path("proposals/<int:pk>/cannot-take-on/", requests.proposal_cannot_take_on, name="proposal_cannot_take_on"),
    path("engagements/<int:pk>/", engagement.engagement_detail, name="engagement_detail"),
    path("engagements/<int:pk>/agreement/", engagement.agreement_edit, name="agreement_edit"),
    path("engagements/<int:pk>/agreement/confirm/", engagement.agreement_confirm, name="agreement_confirm"),
    path("engagements/<int:pk>/pause/", engagement.engagement_pause, name="engagement_pause"),
    path("engagements/<int:pk>/resume/", engagement.engagement_resume, name="engagement_resume"),
    path("engagements/<int:pk>/closing/", engagement.engagement_start_closing, name="engagement_start_closing"),
    path("engagements/<int:pk>/close/", engagement.engagement_close, name="engagement_close"),
    path("engagements/<int:pk>/end/", changes.engagement_end, name="engagement_end"),
    path("engagements/<int:pk>/carry-over/", changes.engagement_carry_over, name="engagement_carry_over"),
    path("engagements/<int:pk>/extra-days/", engagement.engagement_extra_days, name="engagement_extra_days"),
    path("engagements/<int:pk>/diagnostic/", engagement.diagnostic_detail, name="diagnostic_detail"),
    path("engagements/<int:pk>/diagnostic/edit/", engagement.diagnostic_edit, name="diagnostic_edit"),
    path("engagements/<int:pk>/diagnostic/share/", engagement.diagnostic_share, name="diagnostic_share"),
    path(
        "engagements/<int:pk>/diagnostic/share/<int:share_pk>/stop/",
        engagement.diagnostic_unshare,
        name="diagnostic_unshare",
    ),
    path("engagements/<int:pk>/sessions/", sessions.session_list, name="session_list"),
    path("engagements/<int:pk>/sessions/new/", sessions.session_create, name="session_create"),
    path("engagements/<int:pk>/plan/", planning.planned_session_create, name="planned_session_create"),
    path("planned/<int:pk>/", planning.planned_session_edit, name="planned_session_edit"),
    path("planned/<int:pk>/cancel/", planning.planned_session_cancel, name="planned_session_cancel"),
    path("planned/<int:pk>/end-series/", planning.series_end, name="series_end"),
    path("engagements/<int:pk>/private-notes/", notes.private_note_list, name="private_note_list"),
    path("engagements/<int:pk>/private-notes/new/", notes.private_note_create, name="private_note_create"),
    path("private-notes/<int:pk>/", notes.private_note_edit, name="private_note_edit"),
    path("private-notes/download/", notes.private_notes_download, name="private_notes_download"),
    path("private-notes/set-up/", notes.notes_setup, name="notes_setup"),
    path("private-notes/passphrase/", notes.notes_passphrase, name="notes_passphrase"),
    path("engagements/<int:pk>/shared/", sessions.shared_notes, name="shared_notes"),
    path("actions/<int:pk>/toggle/", sessions.action_toggle, name="action_toggle"),
    path("engagements/<int:pk>/access-log/", sessions.access_log, name="access_log"),
    path("calendar/", sessions.calendar_settings, name="calendar_settings"),
    path("calendar/turn-on/", sessions.calendar_turn_on, name="calendar_turn_on"),
    path("calendar/turn-off/", sessions.calendar_turn_off, name="calendar_turn_off"),
    path("calendar/<feed_token:token>.ics", sessions.calendar_feed, name="calendar_feed"),
    path("engagements/<int:pk>/feedback/new/", closeout.feedback_create, name="feedback_create"),
    path("engagements/<int:pk>/feedback/", closeout.feedback_list, name="feedback_list"),
    path("engagements/<int:pk>/close-out/", closeout.close_out_review, name="close_out_review"),
    path("enablers/me/", enablers.enabler_profile_edit, name="enabler_profile_edit"),
    path("enablers/pool/", enablers.enabler_pool, name="enabler_pool"),
    path("enablers/<int:pk>/manage/", enablers.enabler_manage, name="enabler_manage"),
    path("enablers/<int:pk>/deactivate/", enablers.enabler_deactivate, name="enabler_deactivate"),
    path("enablers/<int:pk>/reactivate/", enablers.enabler_reactivate, name="enabler_reactivate"),
    path("enablers/<int:pk>/", enablers.enabler_profile_detail, name="enabler_profile_detail"),
]
