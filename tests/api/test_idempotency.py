"""``Idempotency-Key`` on the POSTs that create visits and life events (issue 13, item
13; movements: tests/commodities/test_api_idempotency.py): a retry returns the first
result and writes nothing, the same key with another body is refused in Chinese, keys
are per user and path, failures keep nothing, old keys are pruned, the header is in the
OpenAPI document, and two simultaneous requests with one key write once."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import connection
from django.utils import timezone

from jisheng.api import idempotency
from jisheng.core.models import AuditEvent, IdempotencyKey
from jisheng.people.models import LifeEvent
from jisheng.services.models import FollowUpVisit
from tests.api.chinese import assert_chinese_error
from tests.services.fixtures_pages import woman_a

__all__ = ["woman_a"]

VISITS = "/services/visits"


def visit(person, **extra) -> dict:
    return {"person": person.pk, "way": "home", "needs": "咨询", **extra}


def post(client, path, body, key):
    headers = {**client.headers, "Idempotency-Key": key}
    return client.client.post(
        f"/api/v1{path}", body, content_type="application/json", headers=headers
    )


@pytest.mark.django_db
def test_a_retried_visit_is_recorded_once(api, woman_a):
    client = api("office", language=None)
    first = post(client, VISITS, visit(woman_a), "k-1")
    assert first.status_code == 201, first.content
    audits = AuditEvent.objects.count()
    again = post(client, VISITS, visit(woman_a), "k-1")
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert FollowUpVisit.objects.filter(person=woman_a).count() == 1
    assert AuditEvent.objects.count() == audits  # nothing written, not even an audit row
    # without a key, or with another key, it is a new visit
    assert client.post_json(VISITS, visit(woman_a)).status_code == 201
    assert post(client, VISITS, visit(woman_a), "k-2").status_code == 201
    assert FollowUpVisit.objects.filter(person=woman_a).count() == 3


@pytest.mark.django_db
def test_the_same_key_with_another_body_is_refused_in_chinese(api, woman_a):
    client = api("office", language=None)
    assert post(client, VISITS, visit(woman_a), "k").status_code == 201
    other = post(client, VISITS, visit(woman_a, needs="别的"), "k")
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    assert_chinese_error(other)
    assert FollowUpVisit.objects.filter(person=woman_a).count() == 1


@pytest.mark.django_db
def test_keys_are_per_user_and_path(api, woman_a):
    office, town = api("office", language=None), api("town_office", language=None)
    assert post(office, VISITS, visit(woman_a), "same").status_code == 201
    assert post(town, VISITS, visit(woman_a), "same").status_code == 201
    event = {"kind": "move_out", "date": "2024-01-01", "to": "外省"}
    response = post(office, f"/persons/{woman_a.pk}/events", event, "same")
    assert response.status_code == 201, response.content
    assert FollowUpVisit.objects.filter(person=woman_a).count() == 2


@pytest.mark.django_db
def test_a_failed_request_keeps_nothing_and_its_retry_runs(api, woman_a):
    client = api("office", language=None)
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    refused = post(client, VISITS, visit(woman_a, visited_on=future), "k")
    assert refused.status_code == 422
    assert not IdempotencyKey.objects.exists()
    # the same key may then carry the corrected request
    assert post(client, VISITS, visit(woman_a), "k").status_code == 201


@pytest.mark.django_db
def test_a_retried_life_event_is_recorded_once(api, woman_a):
    client = api("office", language=None)
    path = f"/persons/{woman_a.pk}/events"
    body = {"kind": "move_out", "date": "2024-01-01", "to": "外省"}
    first = post(client, path, body, "e-1")
    assert first.status_code == 201, first.content
    before = LifeEvent.objects.filter(person=woman_a).count()
    again = post(client, path, body, "e-1")
    assert (again.status_code, again.json()) == (201, first.json())
    assert LifeEvent.objects.filter(person=woman_a).count() == before


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["", "a" * 256, "with space", "中文"])
def test_a_malformed_key_is_refused(api, woman_a, key):
    client = api("office", language=None)
    headers = {**client.headers, "Idempotency-Key": key}
    response = client.client.post(
        f"/api/v1{VISITS}", visit(woman_a), content_type="application/json", headers=headers
    )
    assert response.status_code == 400
    assert_chinese_error(response)
    assert not FollowUpVisit.objects.filter(person=woman_a).exists()


@pytest.mark.django_db
def test_keys_are_kept_a_day_and_then_pruned(api, woman_a):
    client = api("office", language=None)
    assert post(client, VISITS, visit(woman_a), "old").status_code == 201
    record = IdempotencyKey.objects.get()
    now = timezone.now()
    assert idempotency.KEEP_HOURS >= 24
    assert idempotency.prune(now + datetime.timedelta(hours=24)) == 0
    IdempotencyKey.objects.filter(pk=record.pk).update(
        created_at=now - datetime.timedelta(hours=idempotency.KEEP_HOURS + 1)
    )
    assert idempotency.prune(now) == 1


@pytest.mark.django_db
def test_the_header_is_documented(api):
    paths = api(None).get("/openapi.json").json()["paths"]
    for path in (
        "/api/v1/services/visits",
        "/api/v1/commodities/movements",
        "/api/v1/persons/{person_id}/events",
    ):
        parameters = paths[path]["post"].get("parameters", [])
        assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in parameters)


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_requests_with_one_key_write_once(api, woman_a):
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(
        ("file:memorydb", ":memory:")
    ):
        pytest.skip("threads share one in-memory SQLite database (tested on PostgreSQL)")
    client = api("office", language=None)
    barrier = threading.Barrier(2)
    answers: list = []

    def send() -> None:
        try:
            barrier.wait()
            answers.append(post(client, VISITS, visit(woman_a), "race"))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.status_code for r in answers) == [201, 201]
    assert answers[0].json() == answers[1].json()
    assert FollowUpVisit.objects.filter(person=woman_a).count() == 1


def test_on_sqlite_the_ledger_lock_is_taken_before_the_transaction():
    """Same order as the ledger (lock, then BEGIN IMMEDIATE): a keyed movement and an
    unkeyed one in two threads cannot wait for each other."""
    from jisheng.commodities import ledger

    lock = idempotency._writer_lock()
    if connection.vendor == "sqlite":
        assert lock is ledger._SQLITE_WRITE_LOCK
    else:
        assert lock is not ledger._SQLITE_WRITE_LOCK
