import os
import secrets

from django.contrib.auth.models import Group, Permission, User
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from duban.accounts.models import Profile
from duban.audit.passwords import require_change
from duban.directory.models import Organisation, Unit


class Command(BaseCommand):
    help = (
        "创建演示用户：协调人 coordinator、领导 leader、每个单位一名联络员 liaison<单位编号>。"
        "密码取自环境变量 DUBAN_DEMO_PASSWORD，否则随机生成并只在创建时显示一次。可重复运行。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--org", help="机构简称或名称；默认第一个机构")

    @transaction.atomic
    def handle(self, *args, **opts):
        orgs = Organisation.objects.all()
        if opts["org"]:
            orgs = orgs.filter(short_name=opts["org"]) | orgs.filter(name=opts["org"])
        org = orgs.order_by("id").first()
        if org is None:
            raise CommandError("没有机构。请先运行 duban load_directory。")
        fixed = os.environ.get("DUBAN_DEMO_PASSWORD")
        created = []

        def ensure(username, role, unit=None, first_name=""):
            user = User.objects.filter(username=username).first()
            if user is None:
                password = fixed or secrets.token_urlsafe(9)
                user = User.objects.create_user(username=username, password=password, first_name=first_name)
                require_change(user)  # a generated or shared password: the user chooses their own at the first login
                created.append((username, first_name, password))
            Profile.objects.update_or_create(user=user, defaults={"org": org, "role": role, "unit": unit})

        ensure("coordinator", Profile.COORDINATOR, first_name=f"{org.short_name}政务公开办")
        # The coordinator keeps the directory and the users in the admin: staff, with the 协调人 group's permissions.
        group, _ = Group.objects.get_or_create(name="协调人")
        perms = Permission.objects.filter(content_type__app_label__in=["directory", "plans", "accounts"]) | Permission.objects.filter(
            content_type__app_label="auth", codename__in=["view_user", "add_user", "change_user"]
        )
        group.permissions.add(*perms)
        coordinator = User.objects.get(username="coordinator")
        if not coordinator.is_staff:
            coordinator.is_staff = True
            coordinator.save(update_fields=["is_staff"])
        coordinator.groups.add(group)
        ensure("leader", Profile.LEADER, first_name="分管领导")
        for unit in Unit.objects.filter(org=org, active=True):
            ensure(f"liaison{unit.pk}", Profile.LIAISON, unit, first_name=f"{unit.name}联络员")
        if not created:
            self.stdout.write("演示用户已存在，未作改动。")
            return
        self.stdout.write(f"已创建 {len(created)} 个演示用户（{org.short_name}）：")
        for username, name, password in created:
            shown = "（DUBAN_DEMO_PASSWORD）" if fixed else password
            self.stdout.write(f"  {username:<14} {shown}  {name}")
        if not fixed:
            self.stdout.write("以上密码只显示这一次，请妥善保存。")
        self.stdout.write("首次登录时须修改密码。")
