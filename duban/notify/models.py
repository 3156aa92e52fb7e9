"""Outgoing notifications (an outbox), the in-site inbox, and robot webhooks."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from duban.directory.models import Organisation


class Notification(models.Model):
    """One message to one recipient on one channel; delivered by `duban send_notifications`."""

    EMAIL, WECOM, DINGTALK, INBOX, WEBHOOK = "email", "wecom", "dingtalk", "inbox", "webhook"
    WECOM_APP, DINGTALK_APP = "wecomapp", "dingapp"  # work notifications to one person (duban.notify.workapps)
    CHANNEL_CHOICES = [(EMAIL, "邮件"), (WECOM, "企业微信"), (DINGTALK, "钉钉"), (INBOX, "站内消息"), (WEBHOOK, "事件推送"),
                       (WECOM_APP, "企业微信应用消息"), (DINGTALK_APP, "钉钉工作通知")]
    PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"
    STATUS_CHOICES = [(PENDING, "待发送"), (SENDING, "发送中"), (SENT, "已发送"), (FAILED, "发送失败")]

    channel = models.CharField("渠道", max_length=10, choices=CHANNEL_CHOICES)
    recipient = models.CharField(
        "接收方", max_length=500, help_text="邮件地址；企业微信/钉钉机器人的 Webhook 地址；站内消息为用户 ID；事件推送为订阅 ID；应用消息为“应用 ID:账号”"
    )
    subject = models.CharField("标题", max_length=200)
    body = models.TextField("正文")
    link = models.CharField("链接", max_length=500, blank=True)
    dedupe_key = models.CharField(
        "去重键", max_length=200, unique=True, help_text="同一键只会生成一条通知，例如 remind:assignment:42:due-5wd"
    )
    status = models.CharField("状态", max_length=10, choices=STATUS_CHOICES, default=PENDING)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    next_attempt_at = models.DateTimeField(
        "下次尝试时间", default=timezone.now, help_text="发送中的通知超过此时间仍未完成，视为中断，重新发送"
    )
    last_error = models.TextField("最近错误", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The queue the deliverers claim from, in order: only rows still to send are in it, so a claim
            # reads the first due rows of the index however large the log of sent ones grows.
            models.Index(fields=["next_attempt_at", "id"], name="notify_queue", condition=Q(status__in=["pending", "sending"])),
            # The robots with something to send (a digest per robot and run); a handful of rows.
            models.Index(
                fields=["recipient"],
                name="notify_robot_queue",
                condition=Q(status__in=["pending", "sending"], channel__in=["wecom", "dingtalk"]),
            ),
        ]
        verbose_name = "通知"
        verbose_name_plural = "通知发送记录"

    def __str__(self):
        return f"[{self.get_channel_display()}] {self.subject} → {self.recipient}"


class InboxMessage(models.Model):
    """A message in one user's 消息 page, written at once by duban.notify.inbox.deliver (nothing to wait for).

    ``assignments`` are the ones it is about: a 催办's read receipt is shown beside them. ``batch`` names
    the sending it belongs to (e.g. ``urge:12`` for the Urge with id 12): one sending reaches every liaison
    of a unit, and it counts as read when one of them has opened it.
    """

    URGE, RETURN, REMINDER, INSTRUCTION, REPORT, OTHER = "urge", "return", "reminder", "instruction", "report", ""
    KIND_CHOICES = [(URGE, "催办"), (RETURN, "退回"), (REMINDER, "提醒"), (INSTRUCTION, "领导批示"), (REPORT, "报送"), (OTHER, "通知")]

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE, related_name="inbox_messages"
    )
    kind = models.CharField("类型", max_length=20, choices=KIND_CHOICES, blank=True, default=OTHER)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    link = models.CharField("链接", max_length=500, blank=True)
    batch = models.CharField("发送批次", max_length=100, blank=True, db_index=True)
    assignments = models.ManyToManyField(
        "plans.Assignment", verbose_name="所涉任务分工", blank=True, related_name="inbox_messages",
        through="InboxLink",
    )
    created_at = models.DateTimeField("时间", auto_now_add=True)
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="inbox_unread")]
        verbose_name = "站内消息"
        verbose_name_plural = "站内消息"

    def __str__(self):
        return self.title


class InboxLink(models.Model):
    """An inbox message is about this assignment (the read receipt the coordinator sees beside it)."""

    # No index of its own: the unique (message, assignment) index serves every lookup by message, and one index
    # fewer is less work for each of the ~110,000 links a cold 1M remind sweep writes.
    message = models.ForeignKey(InboxMessage, on_delete=models.CASCADE, related_name="links", db_index=False)
    assignment = models.ForeignKey("plans.Assignment", on_delete=models.CASCADE, related_name="inbox_links")

    class Meta:
        verbose_name = verbose_name_plural = "消息所涉任务分工"
        constraints = [models.UniqueConstraint(fields=["message", "assignment"], name="inbox_link_once")]


class Webhook(models.Model):
    """A group robot (企业微信群机器人 / 钉钉自定义机器人) that receives reminders.

    A robot belongs to one organisation and hears only of its plans; one without an
    organisation (as every robot was before robots had one) hears of all of them.
    """

    WECOM, DINGTALK = Notification.WECOM, Notification.DINGTALK
    KIND_CHOICES = [(WECOM, "企业微信群机器人"), (DINGTALK, "钉钉自定义机器人")]

    name = models.CharField("名称", max_length=100)
    org = models.ForeignKey(
        Organisation,
        verbose_name="机构",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="webhooks",
        help_text="只接收该机构的方案提醒；留空则接收所有机构的提醒",
    )
    kind = models.CharField("类型", max_length=10, choices=KIND_CHOICES)
    url = models.CharField("Webhook 地址", max_length=500, unique=True)
    secret = models.CharField(
        "加签密钥", max_length=200, blank=True, help_text="钉钉机器人“加签”安全设置的密钥（SEC 开头）；企业微信不需要"
    )
    active = models.BooleanField("启用", default=True, help_text="停用后不再向该机器人生成新的通知")

    class Meta:
        ordering = ["name"]
        verbose_name = "群机器人"
        verbose_name_plural = "群机器人"

    def __str__(self):
        return f"{self.name}（{self.get_kind_display()}）"


class RobotQuota(models.Model):
    """The last posts to one robot webhook URL: 企业微信/钉钉 refuse more than 20 messages a minute per robot."""

    url = models.CharField("Webhook 地址", max_length=500, unique=True)
    recent = models.JSONField("最近一分钟的发送时间", default=list)

    class Meta:
        verbose_name = verbose_name_plural = "机器人发送频率"

    def __str__(self):
        return self.url.split("?")[0]


class Subscription(models.Model):
    """Another platform follows an organisation's events: each chosen event is POSTed to ``url`` as JSON,
    signed with ``secret`` (X-Duban-Signature: sha256=HMAC-SHA256(secret, body)); see duban.notify.events."""

    EVENT_CHOICES = [
        ("assignment.submitted", "任务分工已报送"),
        ("assignment.accepted", "任务分工已办结（审核通过）"),
        ("assignment.returned", "任务分工被退回"),
        ("assignment.overdue", "任务分工逾期（催办升级）"),
        ("plan.imported", "方案已导入"),
        ("bulletin.issued", "督办通报已印发"),
    ]

    org = models.ForeignKey(Organisation, verbose_name="机构", on_delete=models.CASCADE, related_name="subscriptions")
    name = models.CharField("名称", max_length=100, help_text="例如：市政务公开平台")
    url = models.URLField("推送地址", max_length=500, help_text="以 http:// 或 https:// 开头，接收 JSON POST")
    secret = models.CharField("签名密钥", max_length=200, help_text="用于计算 X-Duban-Signature（HMAC-SHA256）")
    events = models.JSONField("订阅的事件", default=list)
    active = models.BooleanField("启用", default=True, help_text="停用后不再生成新的推送，尚未发出的推送也不再发送")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = verbose_name_plural = "事件推送订阅"

    def __str__(self):
        return self.name

    def event_labels(self) -> list[str]:
        labels = dict(self.EVENT_CHOICES)
        return [labels.get(e, e) for e in self.events]


class WorkApp(models.Model):
    """An organisation's 企业微信自建应用 or 钉钉企业内部应用: messages to one person by their user id
    (accounts.Profile.wecom_userid / dingtalk_userid), delivered by duban.notify.workapps.

    The access token is fetched with the credentials and kept here until it expires."""

    WECOM, DINGTALK = Notification.WECOM_APP, Notification.DINGTALK_APP
    KIND_CHOICES = [(WECOM, "企业微信自建应用"), (DINGTALK, "钉钉企业内部应用")]
    DEFAULT_BASE = {WECOM: "https://qyapi.weixin.qq.com", DINGTALK: "https://oapi.dingtalk.com"}

    org = models.ForeignKey(Organisation, verbose_name="机构", on_delete=models.CASCADE, related_name="work_apps")
    kind = models.CharField("类型", max_length=10, choices=KIND_CHOICES)
    corp_id = models.CharField("企业 ID / AppKey", max_length=100, help_text="企业微信：企业 ID（corpid）；钉钉：应用的 AppKey")
    secret = models.CharField("Secret", max_length=200, help_text="企业微信：应用的 Secret；钉钉：应用的 AppSecret")
    agent_id = models.CharField("AgentId", max_length=50)
    base_url = models.CharField("接口地址", max_length=200, blank=True,
                                help_text="留空即官方地址（企业微信 https://qyapi.weixin.qq.com，钉钉 https://oapi.dingtalk.com）")
    active = models.BooleanField("启用", default=True)
    access_token = models.CharField("access_token（缓存）", max_length=512, blank=True, editable=False)
    token_expires_at = models.DateTimeField("access_token 过期时间", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = "企业微信/钉钉应用"
        constraints = [models.UniqueConstraint(fields=["org", "kind"], name="work_app_one_per_kind")]

    def __str__(self):
        return f"{self.org}：{self.get_kind_display()}"

    @property
    def base(self) -> str:
        return (self.base_url or self.DEFAULT_BASE[self.kind]).rstrip("/")
