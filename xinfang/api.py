"""The API router. Each app defines its viewsets in its own api.py; they are collected here."""

from core.api import Router
from deadlines.api import ClockViewSet, SupervisionOrderViewSet
from documents.api import DocumentViewSet
from handling.api import BulkTransferViewSet, LifecycleViewSet
from leaders.api import CaseViewSet, HearingViewSet, InstructionViewSet, MeetingViewSet, TaskViewSet
from notifications.api import NotificationViewSet
from orgs.api import UnitViewSet
from petitions.api import (
    AttachmentViewSet,
    CategoryViewSet,
    ImportJobViewSet,
    LocalityViewSet,
    PetitionerViewSet,
    PetitionViewSet,
)
from reception.api import (
    AppointmentViewSet,
    CenterViewSet,
    ConsultationViewSet,
    DeskViewSet,
    DutyViewSet,
    IncidentViewSet,
    LawyerViewSet,
    OutreachViewSet,
    TicketViewSet,
)
from stats.api import StatsViewSet

router = Router()
router.register("units", UnitViewSet, basename="unit")
router.register("petitions", PetitionViewSet, basename="petition")
# Lifecycle actions live under the same prefix: POST /api/petitions/{id}/{action}/
router.register("petitions", LifecycleViewSet, basename="petition-lifecycle")
router.register("bulk-transfers", BulkTransferViewSet, basename="bulk-transfer")
router.register("petitioners", PetitionerViewSet, basename="petitioner")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("documents", DocumentViewSet, basename="document")
router.register("categories", CategoryViewSet, basename="category")
router.register("localities", LocalityViewSet, basename="locality")
router.register("stats", StatsViewSet, basename="stats")
router.register("attachments", AttachmentViewSet, basename="attachment")
router.register("imports", ImportJobViewSet, basename="import-job")
router.register("clocks", ClockViewSet, basename="clock")
router.register("supervision-orders", SupervisionOrderViewSet, basename="supervision-order")

router.register("reception/centers", CenterViewSet, basename="reception-center")
router.register("reception/desks", DeskViewSet, basename="reception-desk")
router.register("reception/tickets", TicketViewSet, basename="reception-ticket")
router.register("reception/duty", DutyViewSet, basename="reception-duty")
router.register("reception/appointments", AppointmentViewSet, basename="reception-appointment")
router.register("reception/outreach", OutreachViewSet, basename="reception-outreach")
router.register("reception/lawyers", LawyerViewSet, basename="reception-lawyer")
router.register("reception/consultations", ConsultationViewSet, basename="reception-consultation")
router.register("reception/incidents", IncidentViewSet, basename="reception-incident")
router.register("leaders/instructions", InstructionViewSet, basename="leaders-instruction")
router.register("leaders/cases", CaseViewSet, basename="leaders-case")
router.register("leaders/hearings", HearingViewSet, basename="leaders-hearing")
router.register("leaders/meetings", MeetingViewSet, basename="leaders-meeting")
router.register("leaders/tasks", TaskViewSet, basename="leaders-task")
