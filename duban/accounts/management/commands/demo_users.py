import os
import secrets

from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from duban.accounts.models import Profile
from duban.audit.passwords import require_change
from duban.directory.models import Organisation, Unit

# Earlier versions made the demo coordinator staff, in this group with the directory/plans/accounts and
# auth.user permissions, so the coordinator could change any user in the admin, itself included.
OLD_ADMIN_GROUP = "协调人"


class Command(BaseCommand):
    help = (
        "创建演示用户：协调人 coordinator、领导 leader、每个单位一名联络员 liaison<单位编号>。"
        "密码取自环境变量 DUBAN_DEMO_PASSWORD，否则随机生成并只在创建时显示一次。可重复运行。"
        "演示用户都不能进入管理后台（/admin/ 只对超级用户开放）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--org", help="机构简称或名称；默认第一个机构")
        parser.add_argument(
            "--prefix", default="",
            help="用户名前缀，例如 dongchuan-：为第二个机构另建一套演示用户（dongchuan-coordinator 等）",
        )

    @transaction.atomic
    def handle(self, *args, **opts):
        if opts["org"]:
            org = (Organisation.objects.filter(short_name=opts["org"]) | Organisation.objects.filter(name=opts["org"])).first()
            if org is None:
                raise CommandError(f"没有名为“{opts['org']}”的机构。请先运行 duban load_directory，或检查机构简称。")
        else:
            org = Organisation.objects.order_by("id").first()
            if org is None:
                raise CommandError("没有机构。请先运行 duban load_directory。")
        prefix = opts["prefix"]
        wanted = [(f"{prefix}coordinator", Profile.COORDINATOR, None, f"{org.short_name}政务公开办"),
                  (f"{prefix}leader", Profile.LEADER, None, "分管领导")]
        wanted += [(f"{prefix}liaison{u.pk}", Profile.LIAISON, u, f"{u.name}联络员") for u in Unit.objects.filter(org=org, active=True)]
        self.refuse_conflicts(org, [w[0] for w in wanted], prefix)

        fixed = os.environ.get("DUBAN_DEMO_PASSWORD")
        created, stripped = [], []
        old_group = Group.objects.filter(name=OLD_ADMIN_GROUP).first()
        for username, role, unit, first_name in wanted:
            user = User.objects.filter(username=username).first()
            if user is None:
                password = fixed or secrets.token_urlsafe(9)
                user = User.objects.create_user(username=username, password=password, first_name=first_name)
                require_change(user)  # a generated or shared password: the user chooses their own at the first login
                created.append((username, first_name, password))
            Profile.objects.update_or_create(user=user, defaults={"org": org, "role": role, "unit": unit})
            if self.strip_admin_rights(user, old_group):
                stripped.append(username)
        if old_group is not None:
            # Nobody reaches the admin through this group any more; keep it from handing out rights again.
            old_group.permissions.clear()

        for username in stripped:
            self.stdout.write(f"已取消 {username} 的管理后台权限（演示用户不能进入 /admin/）。")
        if not created:
            self.stdout.write("演示用户已存在，未作改动。" if not stripped else "演示用户已存在。")
            return
        self.stdout.write(f"已创建 {len(created)} 个演示用户（{org.short_name}）：")
        for username, name, password in created:
            shown = "（DUBAN_DEMO_PASSWORD）" if fixed else password
            self.stdout.write(f"  {username:<14} {shown}  {name}")
        if not fixed:
            self.stdout.write("以上密码只显示这一次，请妥善保存。")
        self.stdout.write("首次登录时须修改密码。")

    def refuse_conflicts(self, org, usernames, prefix):
        """Never move an account to another organisation, nor take over an account that is not a demo user."""
        for user in User.objects.filter(username__in=usernames).select_related("profile__org"):
            profile = getattr(user, "profile", None)
            if profile is None:
                raise CommandError(
                    f"用户 {user.username} 已存在，但不是演示用户（没有机构和角色），未作任何改动。"
                    f"请用 --prefix 另起用户名，例如 --prefix demo-。"
                )
            if profile.org_id != org.pk:
                hint = f"{prefix}org{org.pk}-"
                raise CommandError(
                    f"用户 {user.username} 已是{profile.org.short_name}的{profile.get_role_display()}，"
                    f"不会改到{org.short_name}，未作任何改动。"
                    f"要为{org.short_name}另建一套演示用户，请加 --prefix，例如 --prefix {hint}。"
                )

    @staticmethod
    def strip_admin_rights(user, old_group) -> bool:
        """Demo accounts are never staff or superuser; earlier versions made the coordinator staff."""
        changed = user.is_staff or user.is_superuser
        if changed:
            user.is_staff = user.is_superuser = False
            user.save(update_fields=["is_staff", "is_superuser"])
        if user.user_permissions.exists():
            user.user_permissions.clear()
            changed = True
        if old_group is not None and user.groups.filter(pk=old_group.pk).exists():
            user.groups.remove(old_group)
            changed = True
        return changed
