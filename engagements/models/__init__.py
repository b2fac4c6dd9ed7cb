"""Engagements' models: support (offers to diagnostics) and sessions (sessions, shared notes, actions, access,
feeds, feedback). Private notes and their keys are models of this app too, but they live sealed in
engagements.notes: they are imported here only so that Django registers them, and are not re-exported."""

from core.errors import NotAllowed

from ..notes import models as _notes_models  # noqa: F401  (registers PrivateNote and EngagementKey)
from .changes import ChemistryConversation, EnablerChange
from .closeout import CloseOutReview, GoalReview, goals_of
from .planning import PlannedSession, SessionSeries, new_uid
from .sessions import (
    HOURS_IN_A_DAY,
    AccessRecord,
    Action,
    CalendarFeed,
    Feedback,
    Session,
    SharedNote,
    quiet_since,
)
from .support import (
    DEFAULT_CONFIDENTIALITY,
    SECTOR_FIT,
    Agreement,
    Approach,
    BudgetExtension,
    Diagnostic,
    DiagnosticShare,
    EnablerProfile,
    Engagement,
    Offer,
    Proposal,
    Sector,
    SupportRequest,
)

__all__ = [
    "DEFAULT_CONFIDENTIALITY",
    "HOURS_IN_A_DAY",
    "SECTOR_FIT",
    "AccessRecord",
    "Action",
    "Agreement",
    "Approach",
    "BudgetExtension",
    "CalendarFeed",
    "ChemistryConversation",
    "CloseOutReview",
    "Diagnostic",
    "DiagnosticShare",
    "EnablerChange",
    "EnablerProfile",
    "Engagement",
    "Feedback",
    "GoalReview",
    "NotAllowed",
    "Offer",
    "PlannedSession",
    "Proposal",
    "Sector",
    "Session",
    "SessionSeries",
    "SharedNote",
    "SupportRequest",
    "goals_of",
    "new_uid",
    "quiet_since",
]
