from django import forms
from django.contrib import admin

from duban.directory.models import Contact, Organisation, Unit, UnitAlias, UnitGroup


class AliasInline(admin.TabularInline):
    model = UnitAlias
    fk_name = "unit"
    fields = ["alias"]
    extra = 0


class ContactInline(admin.TabularInline):
    model = Contact
    fields = ["role", "name", "email", "active"]
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["short_name", "name"]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "kind", "active", "sort_order", "org"]
    list_editable = ["kind", "active", "sort_order"]
    list_filter = ["org", "kind", "active"]
    search_fields = ["name", "short_name", "aliases__alias"]
    inlines = [AliasInline, ContactInline]

    def save_formset(self, request, form, formset, change):
        for obj in formset.save(commit=False):
            if isinstance(obj, UnitAlias):
                obj.org = form.instance.org
            obj.save()
        for obj in formset.deleted_objects:
            obj.delete()


@admin.register(UnitAlias)
class UnitAliasAdmin(admin.ModelAdmin):
    list_display = ["alias", "unit", "org"]
    list_filter = ["org"]
    search_fields = ["alias", "unit__name"]
    autocomplete_fields = ["unit"]


class UnitGroupForm(forms.ModelForm):
    kinds = forms.MultipleChoiceField(label="包含类别", choices=Unit.KIND_CHOICES, required=False, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = UnitGroup
        fields = ["org", "phrase", "kinds", "units", "vague", "note"]


@admin.register(UnitGroup)
class UnitGroupAdmin(admin.ModelAdmin):
    form = UnitGroupForm
    list_display = ["phrase", "kind_labels", "vague", "org"]
    list_filter = ["org", "vague"]
    filter_horizontal = ["units"]

    @admin.display(description="包含类别")
    def kind_labels(self, obj):
        return obj.kind_labels()
