"""Running the background tasks a test queued (settings.TASKS: the database backend, as in production).

Requests and services only queue tasks (PDFs, e-mail), after their transaction commits; nothing
runs them until a test calls `run_tasks()`, which runs every task that is ready, oldest first, as
`manage.py db_worker` does (the same Worker.run_task, so a failure is recorded and logged the same
way); tasks queued by the tasks it runs are run too.

A test's own transaction never commits: tests that mean "once the change has committed" run the
on_commit callbacks with pytest-django's `django_capture_on_commit_callbacks(execute=True)`, or
pass `run_tasks(commit=True)`, which first runs the callbacks still waiting (`commit_now()`).
The default leaves them: a fixture's changes (an action given a lead) are not meant to notify anyone.
"""

from django.db import connection
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult


def queued_tasks():
    """The paths of the tasks waiting to run, e.g. ['reports.tasks.make_pdf']."""
    return list(DBTaskResult.objects.ready().values_list("task_path", flat=True))


def commit_now():
    """Run the callbacks waiting for the test's transaction to commit, once each, as a commit would."""
    while connection.run_on_commit:
        _sids, callback, _robust = connection.run_on_commit.pop(0)
        callback()


def run_tasks(*, commit=False):
    """Run every queued task (after `commit_now()` if `commit`); returns how many ran."""
    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="tests",
        excluded_queue_names=[],
    )
    ran = 0
    if commit:
        commit_now()
    while (result := DBTaskResult.objects.ready().first()) is not None:
        result.claim(worker.worker_id)
        worker.run_task(result)
        ran += 1
    return ran
