"""Background work on image data, run by the task worker (`manage.py run_worker`)."""

from django_tasks import task

from imagesharing.images.models import Image, PendingDeletion


@task()
def reap_stuck_uploads() -> int:
    """Kill images whose upload's worker died; returns how many."""
    return Image.objects.reap_stuck_uploads()


@task()
def retry_data_deletions() -> int:
    """Delete stored data left behind by failed deletions; returns how many went."""
    return PendingDeletion.objects.retry(Image._meta.get_field("file").storage)


@task()
def delete_deprecated_images() -> int:
    """R25: delete the deprecated images whose deletion date has passed (not protected ones); returns how many."""
    return Image.objects.delete_deprecated()
