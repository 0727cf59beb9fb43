import datetime

from django_tasks import task

from jisheng.core import periodic

JOB = "plugin_app.nightly"


@task()
def count_widgets() -> int:
    from tests.plugin_app.models import Widget

    return Widget.objects.count()


def register() -> None:
    periodic.register(JOB, datetime.time(4, 30), count_widgets)
