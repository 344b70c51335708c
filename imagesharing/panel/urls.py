"""The panel's URLs, in one namespace per area, as the templates and tests name them."""

from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy

from imagesharing.panel.forms.profile import QueuedPasswordResetForm
from imagesharing.panel.views import (
    account,
    answer,
    bulk,
    data,
    deprecation,
    images,
    inbox,
    lists,
    notices,
    offers,
    people,
    profile,
    servers,
    sharing,
    tenants,
    trust,
)

account_urls = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(next_page="accounts:login"), name="logout"),
    path("", account.home, name="home"),
    path("profile/", profile.profile, name="profile"),
    path("profile/sign-out-everywhere/", profile.sign_out_everywhere, name="sign_out_everywhere"),
    path(
        "profile/password/",
        auth_views.PasswordChangeView.as_view(success_url=reverse_lazy("accounts:password_changed")),
        name="password_change",
    ),
    path("profile/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_changed"),
    path(
        "password/reset/",
        auth_views.PasswordResetView.as_view(
            form_class=QueuedPasswordResetForm,
            email_template_name="registration/password_reset_email.txt",
            success_url=reverse_lazy("accounts:password_reset_done"),
        ),
        name="password_reset",
    ),
    path("password/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(success_url=reverse_lazy("accounts:password_reset_complete")),
        name="password_reset_confirm",
    ),
    path("password/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("region/", account.switch_region, name="region"),
    path("usage/", account.usage, name="usage"),
    path("tokens/", account.tokens, name="tokens"),
    path("tokens/<int:token_id>/revoke/", account.revoke_token, name="revoke_token"),
    path("people/", people.people, name="people"),
    path("invitations/<str:token>/", people.join, name="invitation"),
    path("people/<int:person_id>/role/", people.set_role, name="set_role"),
    path("people/<int:person_id>/remove/", people.remove_person, name="remove_person"),
    path("account/", tenants.account, name="account"),
    path("labels/", tenants.labels, name="labels"),
    path("labels/<int:tenant_id>/", tenants.label, name="label"),
    path("trusted-producers/", trust.producers, name="producers"),
    path("trusted-producers/<int:tenant_id>/remove/", trust.forget_producer, name="forget_producer"),
]

image_urls = [
    path("", images.image_list, name="list"),
    path("import/", data.image_import, name="import"),
    path("<uuid:image_id>/upload/", data.image_upload, name="upload"),
    path("<uuid:image_id>/", images.image_detail, name="detail"),
    path("<uuid:image_id>/edit/", images.image_edit, name="edit"),
    path("<uuid:image_id>/delete/", images.image_delete, name="delete"),
    path("<uuid:image_id>/download/", data.image_download, name="download"),
    path("<uuid:image_id>/deprecate/", deprecation.deprecate, name="deprecate"),
    path("<uuid:image_id>/undeprecate/", deprecation.undeprecate, name="undeprecate"),
    path("<uuid:image_id>/offer-replacement/", deprecation.offer_replacement, name="offer_replacement"),
]

membership_urls = [
    path("shared/", inbox.inbox, name="inbox"),
    path("shared-by-me/", offers.shared_by_me, name="shared_by_me"),
    path("shared-by-me/remove/", offers.remove_offers, name="remove_offers"),
    path("shared-by-me/remind/", offers.remind_pending, name="remind_pending"),
    path("history/", inbox.history, name="history"),
    path("images/share/", bulk.bulk_share, name="bulk_share"),
    path("images/share/<int:bulk_share_id>/", bulk.bulk_share_result, name="bulk_share_result"),
    path("lists/", lists.lists, name="lists"),
    path("lists/<int:list_id>/", lists.tenant_list, name="list"),
    path("lists/<int:list_id>/tenants/", lists.list_tenants, name="list_tenants"),
    path("lists/<int:list_id>/delete/", lists.delete_list, name="delete_list"),
    path("images/<uuid:image_id>/share/", sharing.share, name="share"),
    path("images/<uuid:image_id>/members/<int:tenant_id>/remove/", sharing.remove, name="remove"),
    path("images/<uuid:image_id>/members/<int:tenant_id>/note/", sharing.note, name="note"),
    path("images/<uuid:image_id>/members/<int:tenant_id>/remind/", sharing.remind, name="remind"),
    path("images/<uuid:image_id>/members/<int:tenant_id>/dates/", sharing.end_dates, name="end_dates"),
    path("images/<uuid:image_id>/status/", answer.set_status, name="status"),
    path("images/<uuid:image_id>/report/", answer.report, name="report"),
]

server_urls = [
    path("", servers.server_list, name="list"),
    path("boot/", servers.boot, name="boot"),
    path("<uuid:server_id>/snapshot/", servers.snapshot, name="snapshot"),
    path("<uuid:server_id>/delete/", servers.delete, name="delete"),
]

notice_urls = [
    path("notices/", notices.notice_list, name="list"),
    path("notices/read/", notices.mark_all_read, name="read_all"),
    path("notices/<int:notice_id>/read/", notices.mark_read, name="read"),
    path("notices/preferences/", notices.preferences, name="preferences"),
    path("unsubscribe/<str:token>/", notices.unsubscribe, name="unsubscribe"),
]

urlpatterns = [
    path("", include((account_urls, "accounts"))),
    path("images/", include((image_urls, "images"))),
    path("servers/", include((server_urls, "servers"))),
    path("", include((membership_urls, "memberships"))),
    path("", include((notice_urls, "notices"))),
]
