from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest

from groundswell.accounts import services
from groundswell.accounts.actors import actor_for_user
from groundswell.accounts.models import Role, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "person", "role", "is_active", "last_login"]
    list_filter = ["role", "is_active"]
    search_fields = ["email", "person__given_name", "person__family_name"]
    raw_id_fields = ["person"]
    readonly_fields = ["last_login", "date_joined", "is_staff", "is_superuser"]
    fieldsets = [
        (None, {"fields": ["email", "person", "role", "is_active"]}),
        ("Derived from the role", {"fields": ["is_staff", "is_superuser"]}),
        ("History", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "person", "role"]})]

    def save_model(self, request: HttpRequest, obj: User, form: object, change: bool) -> None:
        if not change:
            obj.set_unusable_password()
        # The role goes through set_role, which logs the change: save the rest first.
        wanted = Role(obj.role)
        obj.role = User.objects.filter(pk=obj.pk).values_list("role", flat=True).first() or Role.MEMBER
        super().save_model(request, obj, form, change)
        services.set_role(user=obj, role=wanted, actor=actor_for_user(request.user))
