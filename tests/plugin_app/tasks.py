import datetime

from django.conf import settings
from django_tasks import task

from jisheng.core import periodic

JOB = "plugin_app.nightly"


@task()
def count_widgets() -> int:
    from tests.plugin_app.models import Widget

    return Widget.objects.count()


def is_on() -> bool:
    """Off unless a test turns it on (like the dashboard's jobs in the test settings):
    the other tests' schedules hold only the apps' own jobs."""
    return bool(getattr(settings, "PLUGIN_APP_JOB_ON", False))


def register() -> None:
    periodic.register(JOB, datetime.time(4, 30), count_widgets, enabled=is_on)
