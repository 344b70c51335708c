"""R18 for operators: their own notices (reports filed), and every notice's mail delivery, read-only."""

from django.contrib import admin
from django.utils.html import format_html

from imagesharing.memberships.notices import Notice, NoticeQuerySet
from imagesharing.operators.admin.kit import IdSearchAdmin, ReadOnlyRows, run_each


class RecipientFilter(admin.SimpleListFilter):
    """The signed-in operator's own notices unless asked for everyone's (to follow a message's delivery)."""

    title = "recipient"
    parameter_name = "recipient"

    def lookups(self, request, model_admin):
        return [("me", "Me"), ("everyone", "Everyone")]

    def choices(self, changelist):
        for value, label in self.lookup_choices:
            yield {
                "selected": (self.value() or "me") == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        return queryset if self.value() == "everyone" else queryset.filter(recipient=request.user)


@admin.register(Notice)
class NoticeAdmin(ReadOnlyRows, IdSearchAdmin):
    list_display = ("created_at", "read", "kind", "what", "recipient", "mail_status", "mail_attempts", "mail_error")
    list_filter = (RecipientFilter, "kind", "mail_status")
    list_select_related = ("recipient", "counterparty", "event")
    search_fields = ("=image__id", "=counterparty__tenant_id", "recipient__username")
    search_help_text = "Image ID, the other tenant's ID, or the recipient's username."
    actions = ("mark_read",)
    show_full_result_count = False

    @admin.display(boolean=True)
    def read(self, notice: Notice) -> bool:
        return not notice.is_unread

    @admin.display(description="notice")
    def what(self, notice: Notice) -> str:
        return format_html('{} <a href="{}">{}</a>', notice.summary, notice.link, notice.next_step)

    @admin.action(description="Mark selected notices read (your own)")
    def mark_read(self, request, queryset: NoticeQuerySet) -> None:
        run_each(
            self,
            request,
            queryset,
            lambda notice: Notice.objects.mark_read(request.user, notice.pk),
            "Marked {count} {items} read.",
        )
