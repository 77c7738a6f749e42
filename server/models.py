"""Every mapped table, imported once so the metadata (and Alembic) sees them all."""

from server.accounts.models import CasbinRule, User
from server.achievements.models import Achievement
from server.activities.models import (
    Activity,
    Attendance,
    ProgrammeActivity,
    ProgrammeAttendance,
    SignInSheet,
)
from server.admission.models import Application, ApplicationCall, ApplicationCondition
from server.audit.models import AuditEntry
from server.communities.models import Community, Membership
from server.compliance.models import AuditRun, Finding, ProgrammeFinding
from server.db import Base
from server.evaluation.models import EvaluationRound, Nomination, ReviewAssignment
from server.fees.models import FeeEntry, FeeSchedule, Invoice, InvoiceLine
from server.news.models import News, PublishedNewsSearch
from server.notifications.models import Notification
from server.recognition.models import Recognition
from server.regions.models import Province, RegionProvince, RegionRow
from server.reports.models import Report
from server.research.models import ResearchTopic, SubTopic, TopicReport
from server.units.models import ExitRecord, Unit
from server.uploads.models import Upload

__all__ = [
    "Achievement",
    "Activity",
    "Application",
    "ApplicationCall",
    "ApplicationCondition",
    "Attendance",
    "AuditEntry",
    "AuditRun",
    "Base",
    "CasbinRule",
    "Community",
    "EvaluationRound",
    "ExitRecord",
    "FeeEntry",
    "FeeSchedule",
    "Finding",
    "Invoice",
    "InvoiceLine",
    "Membership",
    "News",
    "Nomination",
    "Notification",
    "ProgrammeActivity",
    "ProgrammeAttendance",
    "ProgrammeFinding",
    "Province",
    "PublishedNewsSearch",
    "Recognition",
    "RegionProvince",
    "RegionRow",
    "Report",
    "ResearchTopic",
    "ReviewAssignment",
    "SignInSheet",
    "SubTopic",
    "TopicReport",
    "Unit",
    "Upload",
    "User",
]
