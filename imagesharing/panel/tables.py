"""The rows of the panel's long tables, built in Python once per row, as Django's admin
builds its change-list rows.

A long table's rows were most of a page's time (issue 11): the template engine spends
microseconds on every variable, filter and tag, and the inbox or a 128-member table
prints well over a thousand of them. Here each row is one `markup` call (a leaner `format_html`), which
escapes every value it is given; the templates print the rows and keep everything else.
"""

from collections.abc import Iterable
from datetime import UTC, datetime
from html import escape
from urllib.parse import quote

from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from imagesharing.accounts.models import Account, TenantLabel
from imagesharing.choices import MemberStatus
from imagesharing.images.models import Image
from imagesharing.memberships.history import Event
from imagesharing.memberships.members import ImageMember
from imagesharing.panel.links import RowUrl
from imagesharing.servers.models import MemberUsage, Usage


def _escaped(value: object) -> str:
    """What `format_html` makes of a value: HTML that says it is safe as it is, anything else escaped."""
    as_html = getattr(value, "__html__", None)
    return as_html() if as_html is not None else escape(str(value))


def markup(template: str, /, *args: object, **kwargs: object) -> SafeString:
    """Django's `format_html` without its lazy-string machinery, which no value here needs and
    which took most of a long table's time (thousands of values per page)."""
    escaped = {name: _escaped(value) for name, value in kwargs.items()}
    return SafeString(template.format(*map(_escaped, args), **escaped))


def markup_join(separator: str, template: str, rows: Iterable[Iterable[object]]) -> SafeString:
    """`format_html_join`, as `markup` is `format_html`."""
    return SafeString(separator.join(markup(template, *row) for row in rows))


MUTED_DASH = mark_safe('<span class="muted">—</span>')
_DEPRECATED = mark_safe(' <span class="status status-deprecated">deprecated</span>')  # R25


def utc_time(value: datetime | None) -> SafeString | str:
    """A time as every panel table shows it: minutes to read, seconds on hover, ISO 8601
    for machines, all in UTC as the label says; nothing for no time."""
    if value is None:
        return ""
    stamp = value.astimezone(UTC).isoformat()  # 2026-01-02T03:04:05.678901+00:00
    day, clock = stamp[:10], stamp[11:19]
    return mark_safe(f'<time datetime="{stamp}" title="{day} {clock} UTC">{day} {clock[:5]} UTC</time>')  # digits only


def csrf_input(request: HttpRequest) -> SafeString:
    """The hidden CSRF field, made once for every form of a table (htmx sends the token in a header)."""
    return markup('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request))


def label_url(tenant_id: int, next_url: str) -> str:
    """Where the viewer writes its private label of a tenant ID (R21), coming back to `next_url`."""
    return f"{reverse('accounts:label', args=[tenant_id])}?next={quote(next_url)}"


def label_text(label: str) -> SafeString | str:
    return markup(' <span class="label-text" title="Your private label">{}</span>', label) if label else ""


def label_span(tenant_id: int, label: str, edit_url: str, *, everywhere: bool = False) -> SafeString:
    """R21: the viewer's label of a tenant ID and the link to change it. `everywhere`: for htmx to
    swap every span of the page for that tenant ID (they share the class named after it)."""
    oob = markup(' hx-swap-oob="outerHTML:.tenant-label-{}"', tenant_id) if everywhere else ""
    return markup(
        '<span class="tenant-label tenant-label-{id}"{oob}>{label} <a class="label-edit small" href="{url}"'
        ' hx-get="{url}" hx-target="closest .tenant-label" hx-swap="outerHTML">{verb}'
        '<span class="visually-hidden"> for tenant {id}</span></a></span>',
        id=tenant_id,
        oob=oob,
        label=label_text(label),
        url=edit_url,
        verb="change label" if label else "add label",
    )


class TenantNames:
    """R21: another tenant as the viewer may see it, wherever R17 shows the viewer its tenant ID: the
    tenant ID, its display name, and the viewer's private label, from one query for the page's tenant IDs.

    `editable` adds the link to write the label (the members table and the inbox).
    """

    do_not_call_in_templates = True  # templates pass it to the `named` filter

    def __init__(self, viewer: Account, tenant_ids: Iterable[int], next_url: str):
        self.labels = TenantLabel.objects.for_tenants(viewer, tenant_ids)
        self.edit, self.back = RowUrl("accounts:label", key="tenant_id"), f"?next={quote(next_url)}"

    def __call__(self, tenant: Account, *, editable: bool = False) -> SafeString:
        label = self.labels.get(tenant.tenant_id, "")
        label_part: SafeString | str
        if editable:
            label_part = label_span(tenant.tenant_id, label, self.edit(tenant) + self.back)
        else:
            label_part = label_text(label)
        return markup(
            '<span class="party"><code>{}</code> <span class="party-name">{}</span>{}</span>',
            tenant.tenant_id,
            tenant.name,
            label_part,
        )


def note_text(note: str) -> SafeString:
    """R19: the producer's note, as typed (its line breaks kept by the style)."""
    return markup('<p class="note">{}</p>', note) if note else mark_safe("")


# Every answer as a button: (status, label, style); an offer shows those it does not have.
ANSWERS = (
    (MemberStatus.ACCEPTED, "Accept", "button-primary button-small"),
    (MemberStatus.REJECTED, "Reject", "button-small"),
    (MemberStatus.PENDING, "Back to pending", "button-small button-quiet"),
)


class AnswerForms:
    """R3: an offer's Accept / Reject / Back to pending buttons, in one form whose buttons
    carry the status, in the inbox and on the image page."""

    def __init__(self, request: HttpRequest, *, target: str, next_url: str):
        self.csrf, self.target, self.next_url = csrf_input(request), target, next_url
        self.url = RowUrl("memberships:status", key="image_id")
        self.shown = can_change(request)

    def __call__(self, offer: ImageMember) -> SafeString | str:
        if not self.shown:
            return ""  # R27: a reader's answer would be refused
        name = offer.image.name
        buttons = markup_join(
            "\n  ",
            '<button type="submit" name="status" value="{}" class="{}">{}'
            '<span class="visually-hidden"> {}</span></button>',
            ((value, style, label, name) for value, label, style in ANSWERS if value != offer.status),
        )
        return markup(
            '<form method="post" action="{url}" hx-post="{url}" hx-target="{target}" hx-swap="outerHTML">{csrf}'
            '<input type="hidden" name="next" value="{next}">\n'
            '<div class="button-row" role="group" aria-label="Your answer to this offer">\n  {buttons}\n</div></form>',
            url=self.url(offer),
            target=self.target,
            csrf=self.csrf,
            next=self.next_url,
            buttons=buttons,
        )


def offer_rows(
    request: HttpRequest, offers: Iterable[ImageMember], next_url: str, names: TenantNames
) -> list[SafeString]:
    """The inbox's rows (R5): the offer with its producer's note (R19), the producer as `names`
    shows it (R21), times, the answer buttons, Boot."""
    detail, boot = RowUrl("images:detail", key="image_id"), reverse("servers:boot")
    answer_form = AnswerForms(request, target="closest tr", next_url=next_url)
    editable = can_change(request)
    deprecated = DeprecationNotes(request, next_url)
    boot_link = _BOOT_LINK if editable else ""
    focus = mark_safe(" data-focus") if getattr(request, "htmx", False) and request.method == "POST" else ""
    return [
        markup(
            '<tr id="offer-{pk}">\n'
            '  <td><a href="{detail}">{name}</a><br><code class="small">{image_id}</code>{note}{deprecated}</td>\n'
            '  <td data-label="Producer tenant">{producer}</td>\n'
            '  <td data-label="Region">{region}</td>\n'
            '  <td data-label="Offered">{created}</td>\n'
            '  <td data-label="Changed">{updated}</td>\n'
            '  <td data-label="Your answer">'
            '<span class="status status-{status}" tabindex="-1"{focus}>{status}</span>{terms}</td>\n'
            "  <td>{answer}\n    {boot_link}</td>\n"
            "</tr>",
            pk=offer.pk,
            detail=detail(offer),
            name=offer.image.name or "(no name)",
            image_name=offer.image.name,
            image_id=offer.image_id,
            note=note_text(offer.note),
            deprecated=deprecated(offer),
            producer=names(offer.image.owner, editable=editable),
            region=offer.image.region_id,
            created=utc_time(offer.created_at),
            updated=utc_time(offer.updated_at),
            status=offer.status,
            focus=focus,
            terms=_member_terms(offer, reminded=False),
            answer=answer_form(offer),
            boot_link=boot_link and markup(boot_link, boot=boot, image_id=offer.image_id, image_name=offer.image.name),
        )
        for offer in offers
    ]


class DeprecationNotes:
    """R25 in the inbox: under a deprecated image, since when, its deletion date, and its replacement
    as `Image.replacement_seen` lets the consumer see it (R6, R17), with Accept when it is offered
    and not accepted. The replacement and the answer come with the rows (`with_replacements`)."""

    def __init__(self, request: HttpRequest, next_url: str):
        self.csrf, self.next_url, self.shown = csrf_input(request), next_url, can_change(request)
        self.url, self.detail = RowUrl("memberships:status"), RowUrl("images:detail")

    def __call__(self, offer: ImageMember) -> SafeString | str:
        image = offer.image
        if not image.is_deprecated:
            return ""
        answer = getattr(offer, "replacement_status", None)
        replacement = image.replacement_seen(answer)
        deletion = markup("; deleted after {}", utc_time(image.delete_after)) if image.delete_after else ""
        said: SafeString | str = ""
        if replacement is not None:
            accept = self._accept(replacement) if answer in _NOT_ACCEPTED else ""
            said = markup(
                ' Replacement: <a href="{}">{}</a>{}.{}',
                self.detail(replacement),
                replacement.name or replacement.pk,
                markup(" (your answer: {})", answer) if answer else "",
                accept,
            )
        elif image.replacement_id is not None:
            said = mark_safe(" It has a replacement; its owner may offer it to you.")
        return markup(
            '<p class="deprecation small"><span class="status status-deprecated">deprecated</span> since {}{}.{}</p>',
            utc_time(image.deprecated_at),
            deletion,
            said,
        )

    def _accept(self, replacement: Image) -> SafeString | str:
        if not self.shown:
            return ""  # R27: a reader's answer would be refused
        return markup(
            '<form method="post" action="{url}" class="inline-form">{csrf}'
            '<input type="hidden" name="status" value="accepted"><input type="hidden" name="next" value="{next}">'
            '<button type="submit" class="button-small button-primary">Accept the replacement'
            '<span class="visually-hidden"> {name}</span></button></form>',
            url=self.url(replacement),
            csrf=self.csrf,
            next=self.next_url,
            name=replacement.name,
        )


_NOT_ACCEPTED = (MemberStatus.PENDING, MemberStatus.REJECTED)


# R27: the buttons of a row, left out for a reader (whose every click would be refused);
# whether they show is asked once per table, never per row.
_BOOT_LINK = (
    '<a class="small" href="{boot}?image={image_id}">Boot a server'
    '<span class="visually-hidden"> from {image_name}</span></a>'
)
_MEMBER_ACTIONS = (
    '<div class="button-row">{remind}'
    '<a class="button button-small" href="{dates}">Dates'
    '<span class="visually-hidden"> of tenant {tenant}</span></a>'
    '<a class="button button-danger button-small" href="{remove}"\n'
    '         hx-get="{remove}" hx-target="closest tr" hx-swap="outerHTML">Remove'
    '<span class="visually-hidden"> tenant {tenant}</span></a></div>'
)


_NOTE_LINK = (
    '<a class="small" href="{edit_note}"\n'
    '         hx-get="{edit_note}" hx-target="closest tr" hx-swap="outerHTML">{note_verb}'
    '<span class="visually-hidden"> for tenant {tenant}</span></a>'
)


def can_change(request: HttpRequest) -> bool:
    """R27, once per table: whether the signed-in person may use a row's buttons."""
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and user.can_change)


def servers_running(used: MemberUsage) -> SafeString | str:
    """R26: a member's running servers from the image, as a count."""
    return str(used.running) if used.running else MUTED_DASH


def member_rows(
    request: HttpRequest, image: Image, members: Iterable[ImageMember], names: TenantNames, usage: Usage
) -> list[SafeString]:
    """The owner's members table (R7): up to the quota's 128 rows, each member as `names` shows it
    (R21), with its end dates (R22), the owner's note to it (R19) and the link to change the note,
    its servers running from the image and last boot (R26: counts, never the servers),
    Remind for a pending member a reminder is due to (R20), Dates and Remove."""
    remove = RowUrl("memberships:remove", image.pk, key="member.tenant_id")
    remind = RowUrl("memberships:remind", image.pk, key="member.tenant_id")
    dates = RowUrl("memberships:end_dates", image.pk, key="member.tenant_id")
    edit_note = RowUrl("memberships:note", image.pk, key="member.tenant_id")
    csrf, now = csrf_input(request), timezone.now()
    actions = _MEMBER_ACTIONS if can_change(request) else ""
    rows = []
    for member in members:
        tenant, used = member.member.tenant_id, usage.of(member)
        rows.append(
            markup(
                '<tr id="member-{tenant}">\n'
                "  <td>{who}</td>\n"
                '  <td data-label="Status"><span class="status status-{status}">{status}</span>{terms}</td>\n'
                '  <td data-label="Your note">{note}{note_link}</td>\n'
                '  <td data-label="Added">{created}</td>\n'
                '  <td data-label="Last changed">{updated}</td>\n'
                '  <td data-label="Servers running">{running}</td>\n'
                '  <td data-label="Last boot">{last_boot}</td>\n'
                "  <td>{actions}</td>\n"
                "</tr>",
                tenant=tenant,
                who=names(member.member, editable=bool(actions)),
                status=member.status,
                terms=_member_terms(member),
                note=note_text(member.note),
                note_link=actions
                and markup(
                    _NOTE_LINK,
                    edit_note=edit_note(member),
                    note_verb="Edit note" if member.note else "Add a note",
                    tenant=tenant,
                ),
                created=utc_time(member.created_at),
                updated=utc_time(member.updated_at),
                running=servers_running(used),
                last_boot=utc_time(used.last_boot) or MUTED_DASH,
                actions=actions
                and markup(
                    actions,
                    remind=_remind_button(member, remind(member), csrf, now),
                    dates=dates(member),
                    remove=remove(member),
                    tenant=tenant,
                ),
            )
        )
    return rows


def _member_terms(member: ImageMember, *, reminded: bool = True) -> SafeString:
    """R20, R22 under a member's status: when its offer or access ends, and for the owner
    (`reminded`) when it last reminded it."""
    lines = []
    if member.is_pending and member.offer_expires_at is not None:
        lines.append(markup("Offer open until {}", utc_time(member.offer_expires_at)))
    if member.access_ends_at is not None:
        lines.append(markup("Access until {}", utc_time(member.access_ends_at)))
    if reminded and member.reminded_at is not None:
        lines.append(markup("Reminded {}", utc_time(member.reminded_at)))
    return markup_join("", '<br><span class="muted small">{}</span>', ((line,) for line in lines))


def _remind_button(member: ImageMember, url: str, csrf: SafeString, now: datetime) -> SafeString | str:
    """R20: Remind for a pending member whose last reminder is a REMINDER_INTERVAL old, or none."""
    due = member.next_reminder_at
    if not member.is_pending or (due is not None and now < due):
        return ""
    return markup(
        '<form method="post" action="{url}" hx-post="{url}" hx-target="#sharing" hx-swap="outerHTML">{csrf}'
        '<button type="submit" class="button-small">Remind<span class="visually-hidden"> tenant {tenant}</span>'
        "</button></form>",
        url=url,
        csrf=csrf,
        tenant=member.member.tenant_id,
    )


def image_rows(
    account: Account, images: Iterable[Image], names: TenantNames, *, selectable: bool = False
) -> list[SafeString]:
    """The image list (R5): name and ID, source (a producer as `names` shows it, R21), status,
    visibility, size, the owner's answer counts. `selectable`: a first column with a checkbox on
    each own image, for the bulk share's form (`form="bulk-share"`: it works without JavaScript)."""
    detail, shared_by_me = RowUrl("images:detail"), reverse("memberships:shared_by_me")
    rows = []
    for image in images:
        select: SafeString | str = ""
        if selectable:
            select = markup("<td></td>\n")
            if image.owner_id == account.pk and not image.is_public:
                select = markup(
                    '<td><input type="checkbox" name="image" value="{pk}" form="bulk-share" '
                    'aria-label="Select {name}"></td>\n',
                    pk=image.pk,
                    name=image.name or image.pk,
                )
        source: SafeString | str
        if image.owner_id == account.pk:
            source = "Own"
        elif image.is_public:
            source = "Public"
        else:
            source = markup("Shared by {}", names(image.owner))
        rows.append(
            markup(
                "<tr>\n{select}"
                '  <td><a href="{detail}">{name}</a><br><code class="small">{pk}</code></td>\n'
                "  <td>{source}</td>\n"
                '  <td><span class="status status-{status}">{status}</span>{deprecated}</td>\n'
                "  <td>{visibility}</td>\n"
                '  <td class="num">{size}</td>\n'
                "  <td>{answers}</td>\n"
                "  <td>{created}</td>\n"
                "</tr>",
                select=select,
                detail=detail(image),
                name=image.name or "(no name)",
                pk=image.pk,
                source=source,
                status=image.status,
                deprecated=_DEPRECATED if image.is_deprecated else "",
                visibility=image.visibility,
                size=MUTED_DASH if image.size is None else filesizeformat(image.size),
                answers=_answer_counts(image, shared_by_me),
                created=utc_time(image.created_at),
            )
        )
    return rows


def _answer_counts(image: Image, shared_by_me: str) -> SafeString:
    """The owner's answer counts ("2 pending, 1 accepted") linking to Shared by me; a dash on others' images."""
    # The owner's counts, annotated by `with_answer_counts`; None on others' images.
    counts = [(getattr(image, status, None), status) for status in ("pending", "accepted", "rejected")]
    if counts[0][0] is None or not image.is_shared:
        return MUTED_DASH
    said = ", ".join(f"{count} {status}" for count, status in counts if count)
    if not said:
        return mark_safe("none yet")
    return markup('<a href="{}?image={}" class="answers">{}</a>', shared_by_me, image.pk, said)


def event_rows(account: Account, events: Iterable[Event], names: TenantNames, *, show_image: bool) -> list[SafeString]:
    """The history (R16): when, what, which member, before and after, and who, as R17 lets this tenant
    see it; other tenants as `names` shows them (R21)."""
    detail = RowUrl("images:detail", key="image_id")
    rows = []
    for event in events:
        image = markup("<td>{}</td>", _event_image(event, detail)) if show_image else ""
        note = markup(' <span class="muted">({})</span>', event.note) if event.note else ""
        member = _event_tenant(account, event.member, names) if event.member else MUTED_DASH
        rows.append(
            markup(
                "<tr>\n  <td>{when}</td>\n  {image}\n  <td>{action}{note}</td>\n  <td>{member}</td>\n"
                "  <td>{before} → {after}</td>\n  <td>{actor}</td>\n</tr>",
                when=utc_time(event.created_at),
                image=image,
                action=event.get_action_display(),
                note=note,
                member=member,
                before=event.before or "—",
                after=event.after or "—",
                actor=_event_actor(account, event, names),
            )
        )
    return rows


def _event_image(event: Event, detail: RowUrl) -> SafeString:
    image = event.image
    if not image.is_deleted:
        return markup('<a href="{}">{}</a>', detail(event), image.name or event.image_id)
    name = markup("<br>{}", image.name) if image.name else ""
    return markup('<code class="small">{}</code>{} <span class="muted small">(deleted)</span>', image.pk, name)


def _event_tenant(account: Account, tenant: Account, names: TenantNames) -> SafeString:
    """The viewer itself by its tenant ID alone; a counterparty by ID, display name and label (R21)."""
    return markup("<code>{}</code>", tenant.tenant_id) if tenant.pk == account.pk else names(tenant)


def _event_actor(account: Account, event: Event, names: TenantNames) -> SafeString | str:
    """R17: a tenant sees its own people's names; of another tenant, its tenant ID and display name (R21).
    Nobody acted on what happened by itself, such as an expiry (R22)."""
    if event.by_operator:
        return "a cloud operator"
    if event.actor_account_id == account.pk:
        name = event.actor.get_username() if event.actor else ""
        return f"{name or 'a user of your tenant'} (your tenant)"
    if event.actor_account:
        return markup("tenant {}", names(event.actor_account))
    return "automatically"


def event_tenant_ids(events: Iterable[Event]) -> set[int]:
    """The tenant IDs a page of history shows, for its one query of labels (R21)."""
    shown: set[int] = set()
    for event in events:
        shown.update(tenant.tenant_id for tenant in (event.member, event.actor_account) if tenant is not None)
    return shown
