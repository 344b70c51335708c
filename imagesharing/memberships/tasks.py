"""Background work on members, run by the task worker (`manage.py run_worker`)."""

from django_tasks import task

from imagesharing.memberships.members import ImageMember


@task()
def expire_members() -> int:
    """R22: remove the members whose offer expired unanswered or whose access ended; returns how many."""
    return ImageMember.objects.expire_lapsed()
