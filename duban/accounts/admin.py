from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User

from duban.accounts.models import Profile


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    autocomplete_fields = ["unit"]


class DubanUserAdmin(UserAdmin):
    inlines = [ProfileInline]
    list_display = ["username", "first_name", "role", "unit", "is_active", "is_staff"]
    list_filter = ["profile__role", "profile__org", "is_active", "is_staff"]
    list_select_related = ["profile__unit"]

    @admin.display(description="角色")
    def role(self, obj):
        p = getattr(obj, "profile", None)
        return p.get_role_display() if p else "—"

    @admin.display(description="单位")
    def unit(self, obj):
        p = getattr(obj, "profile", None)
        return p.unit if p and p.unit else "—"


admin.site.unregister(User)
admin.site.register(User, DubanUserAdmin)


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "org", "unit"]
    list_filter = ["org", "role"]
    search_fields = ["user__username", "unit__name", "external_id"]
    autocomplete_fields = ["user", "unit"]
