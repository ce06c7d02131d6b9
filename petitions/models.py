from __future__ import annotations

import os
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.pii import EncryptedTextField, mask_id_number, mask_name, mask_phone
from petitions.choices import (
    OPEN_STATUSES,
    AccessReason,
    Channel,
    ImportState,
    Kind,
    PartyRole,
    Rating,
    Status,
    VisitLevel,
)
from petitions.selectors import PetitionerQuerySet, PetitionQuerySet


class Category(models.Model):
    """The 3-level content taxonomy (一级/二级/三级)."""

    name = models.CharField("名称", max_length=50)
    parent = models.ForeignKey("self", verbose_name="上级分类", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="children")
    level = models.PositiveSmallIntegerField("级别", default=1, editable=False)
    full_name = models.CharField("完整路径", max_length=200, editable=False, default="", db_index=True)
    sort_order = models.PositiveIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "内容分类"
        verbose_name_plural = "内容分类"
        ordering = ["full_name"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="category_unique_name_per_parent"),
            models.UniqueConstraint(fields=["name"], condition=Q(parent__isnull=True), name="category_unique_root"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.name

    def save(self, *args, **kwargs):  # noqa: ANN002, ANN003
        self.level = (self.parent.level + 1) if self.parent else 1
        self.full_name = f"{self.parent.full_name}/{self.name}" if self.parent else self.name
        super().save(*args, **kwargs)

    def root(self) -> Category:
        node = self
        while node.parent_id:
            node = node.parent  # type: ignore[assignment]
        return node


class Petitioner(models.Model):
    """A person or organisation who raises matters (立户). ID and phone are encrypted at rest."""

    name = models.CharField("姓名/名称", max_length=100)
    is_organisation = models.BooleanField("单位信访人", default=False)
    gender = models.CharField("性别", max_length=2, blank=True, choices=[("男", "男"), ("女", "女")])
    birth_date = models.DateField("出生日期", null=True, blank=True)
    id_number = EncryptedTextField("身份证号", blank=True, default="")
    id_index = models.CharField(max_length=32, blank=True, default="", editable=False)
    id_verified = models.BooleanField("身份已核验", default=False)
    unverified_reason = models.CharField("未核验原因", max_length=100, blank=True)
    phone = EncryptedTextField("联系电话", blank=True, default="")
    phone_index = models.CharField(max_length=32, blank=True, default="", editable=False)
    address = models.CharField("住址", max_length=200, blank=True)
    division = models.ForeignKey("orgs.Unit", verbose_name="户籍/居住地", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("建档时间", auto_now_add=True)

    objects = PetitionerQuerySet.as_manager()

    class Meta:
        verbose_name = "信访人"
        verbose_name_plural = "信访人"
        # Plain indexes, not db_index=True: PostgreSQL would add a second (LIKE) index to each, and these
        # are only ever matched exactly.
        indexes = [
            models.Index(fields=["name"], name="petitioner_name_idx"),
            models.Index(fields=["id_index"], name="petitioner_id_index_idx"),
            models.Index(fields=["phone_index"], name="petitioner_phone_index_idx"),
        ]

    def __str__(self) -> str:
        return self.masked_name

    @property
    def masked_name(self) -> str:
        return self.name if self.is_organisation else mask_name(self.name)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class Petition(models.Model):
    """One matter (信访事项), raised through one or more contacts."""

    number = models.CharField("事项编号", max_length=40, unique=True)
    query_code = models.CharField("查询码", max_length=16)
    title = models.CharField("标题", max_length=200)
    content = models.TextField("主要内容")
    demands = models.TextField("诉求", blank=True)
    kind = models.CharField("性质", max_length=12, choices=Kind.choices, default=Kind.CLAIM)
    channel = models.CharField("首次来源", max_length=20, choices=Channel.choices)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.REGISTERED)
    version = models.PositiveIntegerField(default=1, editable=False)
    # These four are the leading columns of composite indexes below, so they need no index of their own
    # (fewer indexes keep registration and imports fast at millions of rows).
    category = models.ForeignKey(Category, verbose_name="内容分类", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="petitions", db_index=False)
    locality = models.ForeignKey("orgs.Unit", verbose_name="问题属地", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+", db_index=False)
    receiving_unit = models.ForeignKey("orgs.Unit", verbose_name="登记单位", on_delete=models.PROTECT,
                                       related_name="+", db_index=False)
    handling_unit = models.ForeignKey("orgs.Unit", verbose_name="承办单位", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+", db_index=False)
    received_at = models.DateTimeField("首次来信来访时间")
    registered_at = models.DateTimeField("登记时间", auto_now_add=True)
    # No index (here and on Contact/Event): nothing lists matters by who registered them, and a user is
    # deactivated, not deleted; the PROTECT check of a deletion may scan. Every index costs each registration.
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+", db_index=False)
    is_collective = models.BooleanField("集体访/联名", default=False)
    headcount = models.PositiveIntegerField("人数", default=1)
    joint_letter = models.BooleanField("联名信", default=False)
    anonymous = models.BooleanField("匿名", default=False)
    raised_before = models.BooleanField("此前是否反映过", default=False)
    raised_before_where = models.CharField("曾向何处反映", max_length=200, blank=True)
    contact_count = models.PositiveIntegerField("件次", default=1)
    merged_into = models.ForeignKey("self", verbose_name="并入事项", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", db_index=False)  # petition_merged_idx (partial)
    # Set at registration when the same person raised the same facts in a matter that was finalised
    # (复核终结): the office may decide "not accepted again" (不再受理) on that basis.
    finalised_match = models.ForeignKey("self", verbose_name="已终结的同一事项", null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="+",
                                        db_index=False)  # petition_finalised_match_idx (partial)
    # The matter reference of an imported ledger row (事项编号 in the old 台账); re-imports attach to it.
    source_ref = models.CharField("来源事项编号", max_length=100, null=True, blank=True)
    # Denormalised for 化解率 (stats.metrics.ResolutionRate), written only by
    # stats.services.record_conclusions: the day the matter's handling concluded (办结 or 复核终结),
    # and whether it was resolved (化解); both null while it has not concluded.
    concluded_on = models.DateField("办结日期", null=True, blank=True, editable=False)
    resolved = models.BooleanField("已化解", null=True, blank=True, default=None, editable=False)

    objects = PetitionQuerySet.as_manager()

    class Meta:
        verbose_name = "信访事项"
        verbose_name_plural = "信访事项"
        ordering = ["-received_at", "-id"]
        # Constraints rather than unique=True: PostgreSQL would add a second (LIKE) index to each, and
        # query codes and source references are only ever matched exactly.
        constraints = [
            models.UniqueConstraint(fields=["query_code"], name="petition_query_code_unique"),
            # Partial (here and for Contact.source_id, the merge and match keys): almost every row is NULL,
            # and a NULL entry costs an insert like any other.
            models.UniqueConstraint(fields=["source_ref"], condition=models.Q(source_ref__isnull=False),
                                    name="petition_source_ref_unique"),
        ]
        indexes = [
            models.Index(fields=["merged_into"], condition=models.Q(merged_into__isnull=False),
                         name="petition_merged_idx"),
            models.Index(fields=["finalised_match"], condition=models.Q(finalised_match__isnull=False),
                         name="petition_finalised_match_idx"),
            models.Index(fields=["-received_at", "-id"], name="petition_recent_idx"),
            models.Index(fields=["status", "received_at"], name="petition_status_idx"),
            models.Index(fields=["receiving_unit", "received_at"], name="petition_receiver_idx"),
            models.Index(fields=["handling_unit", "status"], name="petition_handler_idx"),
            models.Index(fields=["locality", "received_at"], name="petition_locality_idx"),
            models.Index(fields=["category", "received_at"], name="petition_category_idx"),
            # 化解率 of a period and scope is read from this index alone (concluded matters only).
            models.Index(fields=["concluded_on", "handling_unit", "receiving_unit", "resolved"],
                         condition=Q(concluded_on__isnull=False), name="petition_concluded_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_accusation(self) -> bool:
        return self.kind == Kind.ACCUSATION


class Contact(models.Model):
    """One letter, visit, call or online submission about a matter (counted in 件次)."""

    petition = models.ForeignKey(Petition, verbose_name="信访事项", on_delete=models.CASCADE, related_name="contacts")
    channel = models.CharField("来源", max_length=20, choices=Channel.choices)
    received_at = models.DateTimeField("来信来访时间")
    receiving_unit = models.ForeignKey("orgs.Unit", verbose_name="登记单位", on_delete=models.PROTECT,
                                       related_name="+", db_index=False)  # leads contact_receiver_idx
    registered_at = models.DateTimeField("登记时间", auto_now_add=True)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+", db_index=False)
    headcount = models.PositiveIntegerField("人数", default=1)
    is_collective = models.BooleanField("集体访", default=False)
    is_repeat = models.BooleanField("重复信访", default=False)
    visit_level = models.CharField("来访层级", max_length=10, choices=VisitLevel.choices, blank=True)
    content = models.TextField("本次反映内容", blank=True)
    source_id = models.CharField("来源编号", max_length=100, null=True, blank=True)
    petitioners: models.ManyToManyField = models.ManyToManyField(
        Petitioner, through="ContactPerson", related_name="contacts"
    )

    class Meta:
        verbose_name = "来信来访（件次）"
        verbose_name_plural = "来信来访（件次）"
        ordering = ["received_at", "id"]
        constraints = [models.UniqueConstraint(fields=["source_id"], condition=models.Q(source_id__isnull=False),
                                               name="contact_source_id_unique")]
        indexes = [
            models.Index(fields=["receiving_unit", "received_at"], name="contact_receiver_idx"),
            # (A period's contacts are read from contact_cover_idx, which starts with received_at.)
            # Statistics: every volume figure, breakdown and trend reads a period's contacts from this
            # index alone (both databases), without visiting the rows.
            models.Index(fields=["received_at", "receiving_unit", "channel", "headcount", "is_collective",
                                 "is_repeat", "visit_level", "petition"], name="contact_cover_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.received_at:%Y-%m-%d}"


class ContactPerson(models.Model):
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="people",
                                db_index=False)  # leads contact_person_unique
    petitioner = models.ForeignKey(Petitioner, on_delete=models.PROTECT, related_name="contact_links")
    role = models.CharField("身份", max_length=16, choices=PartyRole.choices, default=PartyRole.PETITIONER)

    class Meta:
        verbose_name = "来访人员"
        verbose_name_plural = "来访人员"
        constraints = [models.UniqueConstraint(fields=["contact", "petitioner"], name="contact_person_unique")]

    def __str__(self) -> str:
        return f"{self.petitioner}（{self.get_role_display()}）"


class AccusedParty(models.Model):
    """Who an accusation is about. Feeds the confidentiality rule of the scoping layer."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="accused")
    name = models.CharField("被检举人/单位", max_length=100, blank=True)
    position = models.CharField("职务", max_length=100, blank=True)
    unit = models.ForeignKey("orgs.Unit", verbose_name="被检举单位", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="被检举人（系统用户）", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "被检举对象"
        verbose_name_plural = "被检举对象"

    def __str__(self) -> str:
        return self.name or str(self.unit or self.user)


class PetitionAccess(models.Model):
    """A unit that holds or held the matter (received, transferred, assigned, reviewing).

    The scoping layer reads these rows: a user sees a matter when one of its units lies in the
    user's subtree. `unit_path` is copied from the unit so that check is one index range.
    """

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="access",
                                 db_index=False)  # leads petition_access_unique
    # Read through unit_path (the two indexes below); the unit alone only for a PROTECT check on deletion.
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="+", db_index=False)
    unit_path = models.CharField(max_length=255)
    reason = models.CharField(max_length=16, choices=AccessReason.choices)
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["petition", "unit"], name="petition_access_unique")]
        indexes = [
            models.Index(fields=["unit_path", "petition"], name="petition_access_path_idx"),
            # The scoping check per matter (EXISTS … petition = ? AND unit_path in range) reads only this index.
            models.Index(fields=["petition", "unit_path"], name="petition_access_scope_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}:{self.get_reason_display()}"


class Event(models.Model):
    """One row per change of a matter, written in the same transaction as the change."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="events",
                                 db_index=False)  # leads event_petition_idx
    at = models.DateTimeField("时间", auto_now_add=True)
    # Events are the largest table (about ten a matter); they are read by matter or by action and time
    # (the two indexes below), never by actor alone, so the actor keys carry no index of their own.
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+", db_index=False)
    actor_unit = models.ForeignKey("orgs.Unit", verbose_name="操作单位", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+", db_index=False)
    action = models.CharField("动作", max_length=30)
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    note = models.TextField("说明", blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = "事项记录"
        verbose_name_plural = "事项记录"
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["petition", "at"], name="event_petition_idx"),
            # Statistics: events of an action in a period (sent back, …).
            models.Index(fields=["action", "at", "petition"], name="event_action_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"


def attachment_path(instance: Attachment, filename: str) -> str:
    ext = os.path.splitext(filename)[1].lower()
    return f"attachments/{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}{ext}"


class Attachment(models.Model):
    """A file received with a contact (letter scan, photo, recording). Served only through a scoped view."""

    contact = models.ForeignKey(Contact, verbose_name="件次", on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField("文件", upload_to=attachment_path, max_length=200)
    original_name = models.CharField("原文件名", max_length=255)
    size = models.PositiveBigIntegerField("大小（字节）")
    content_type = models.CharField("类型", max_length=100)
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="上传人", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name


class IdempotencyKey(models.Model):
    """One registration per (user, key): the API's Idempotency-Key header and the HTML form's hidden token.

    The unique constraint, not a check-then-act, makes a second submission of the same key find
    the first result instead of registering again.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    fingerprint = models.CharField("请求摘要", max_length=64)
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    response = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "幂等键"
        verbose_name_plural = "幂等键"
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"


class ImportedOutcome(models.Model):
    """Reply date and rating carried over from an old ledger (台账), so history counts include them.

    The lifecycle app owns replies and ratings of matters handled in xinfang; these rows only hold
    what happened before, as the ledger recorded it.
    """

    petition = models.OneToOneField(Petition, primary_key=True, on_delete=models.CASCADE,
                                    related_name="imported_outcome")
    replied_at = models.DateTimeField("答复时间", null=True, blank=True)
    rating = models.CharField("满意度", max_length=12, choices=Rating.choices, blank=True)

    class Meta:
        verbose_name = "导入的办理结果"
        verbose_name_plural = "导入的办理结果"

    def __str__(self) -> str:
        return f"{self.petition_id}"


class SearchDocument(models.Model):
    """The text a matter is found by (title, content, demands, petitioner names; never ID or phone).

    The full-text index itself is backend-specific and lives next to this table (see
    petitions/search.py): an FTS5 table on SQLite, a tsvector column with a GIN index on PostgreSQL.
    Written only by petitions.search.index_documents(), called by the registration and import services.
    """

    petition = models.OneToOneField(Petition, primary_key=True, on_delete=models.CASCADE, related_name="+")
    text = models.TextField()

    class Meta:
        verbose_name = "检索文本"
        verbose_name_plural = "检索文本"

    def __str__(self) -> str:
        return str(self.petition_id)


def import_path(instance: ImportJob, filename: str) -> str:
    ext = os.path.splitext(filename)[1].lower()
    return f"imports/{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}{ext}"


class ImportJob(models.Model):
    """An upload of an old ledger, checked (dry run) or imported by a background task."""

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="导入人", on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    file = models.FileField("文件", upload_to=import_path, max_length=200)
    original_name = models.CharField("原文件名", max_length=255)
    dry_run = models.BooleanField("仅检查", default=True)
    state = models.CharField("状态", max_length=10, choices=ImportState.choices, default=ImportState.QUEUED)
    total = models.PositiveIntegerField("总行数", default=0)
    processed = models.PositiveIntegerField("已处理", default=0)
    result = models.JSONField("结果", default=dict, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "导入任务"
        verbose_name_plural = "导入任务"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.original_name
