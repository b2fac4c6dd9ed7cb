"""Engagements' models, one module a topic, imported here so that Django registers them.

The topics: requests, enablers, engagement, sessions, notes, planning, changes, closeout. Import anything else
(choices, constants, helpers) from its topic's module."""

from .changes import ChemistryConversation, EnablerChange
from .closeout import CloseOutReview, Feedback, GoalReview
from .enablers import EnablerProfile
from .engagement import Agreement, BudgetExtension, Diagnostic, DiagnosticShare, Engagement
from .notes import EngagementKey, NotesKeyring, PrivateNote
from .planning import PlannedSession, SessionSeries
from .requests import Offer, Proposal, SupportRequest
from .sessions import AccessRecord, Action, CalendarFeed, Session, SharedNote

__all__ = [
    "AccessRecord",
    "Action",
    "Agreement",
    "BudgetExtension",
    "CalendarFeed",
    "ChemistryConversation",
    "CloseOutReview",
    "Diagnostic",
    "DiagnosticShare",
    "EnablerChange",
    "EnablerProfile",
    "Engagement",
    "EngagementKey",
    "Feedback",
    "GoalReview",
    "NotesKeyring",
    "Offer",
    "PlannedSession",
    "PrivateNote",
    "Proposal",
    "Session",
    "SessionSeries",
    "SharedNote",
    "SupportRequest",
]
