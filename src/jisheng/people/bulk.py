"""Fast loading of many persons: the rows the services would write, written in bulk.

:func:`generate_persons` fills a unit's subtree with a synthetic population
(:mod:`jisheng.people.synthetic`); :class:`Loader` writes any list of generated
:class:`~jisheng.people.synthetic.Chunk` s. For every person it builds what
``people.services.person_register`` followed by ``event_record`` for each later event
would leave in the database — the person with the encrypted ID number, its keyed hash
and mask and the pinyin keys; the registration event with the same ``data``; each later
event recorded in the unit the person was in; the periods replayed by
``people.timeline.replay``; the current state equal to the open period; a management
transfer for each departure event — plus households, members, couples, births and
pregnancies. Instead of one audit row per object it writes one audit row per batch
(action ``import``, on the root unit, saying how many persons and which seed).

Rows get their primary keys up front (PostgreSQL: from the table's sequence; SQLite:
after the highest used id, inside the batch's write transaction) and are written with
``COPY … FROM STDIN`` on PostgreSQL (psycopg 3) and with one prepared ``INSERT`` run by
``executemany`` elsewhere (:class:`jisheng.core.bulkcopy.Table`, which says why). Each
batch is one transaction.
"""

from __future__ import annotations

import datetime
import functools
import json
import multiprocessing
import os
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jisheng.core import audit, bulkcopy, crypto, idnumber, pinyin
from jisheng.core.bulkcopy import Table
from jisheng.core.choices import AuditAction
from jisheng.orgs.choices import UnitType
from jisheng.orgs.models import Unit
from jisheng.orgs.synthetic import build_territory
from jisheng.people import synthetic, timeline
from jisheng.people.choices import EventKind, TransferStatus
from jisheng.people.models import (
    Birth,
    Couple,
    Household,
    HouseholdMember,
    LifeEvent,
    Person,
    PersonNameKey,
    PersonPeriod,
    Pregnancy,
    Transfer,
)
from jisheng.people.transfers import REASON_FOR_EVENT

CHUNK_SIZE = 2000  # persons generated together (fixed: the data depend on it)
DEFAULT_BATCH = 20000  # persons written per transaction
RESIDENCE_TYPES = (UnitType.VILLAGE, UnitType.COMMUNITY, UnitType.GROUP)
WORK_TYPES = (
    UnitType.ENTERPRISE,
    UnitType.SCHOOL,
    UnitType.HOSPITAL,
    UnitType.AGENCY,
    UnitType.BRANCH,
    UnitType.SECTION,
)
TRANSFER_COMPLETED_AFTER_DAYS = 60
RECORDS_HANDED = "育龄妇女信息卡、婚育情况证明材料"
RECEIVING_DEFAULT = {
    EventKind.RETIREMENT: "居住地社区",
    EventKind.EARLY_RETIREMENT: "居住地社区",
    EventKind.LEAVE_EMPLOYMENT: "户籍所在地乡镇",
    EventKind.MOVE_OUT: "迁入地乡镇",
}


class GenerateError(Exception):
    """The population cannot be generated as asked (the message says why)."""


# --- tables ---------------------------------------------------------------------------


def _tables() -> dict[str, Table]:
    return {
        "person": Table(
            Person,
            [
                "id", "created_at", "updated_at", "name", "name_pinyin", "name_initials", "sex",
                "birth_date", "id_status", "id_number_encrypted", "id_hash", "id_masked",
                "ethnicity", "hukou_place", "hukou_type", "phone", "education", "unit_id",
                "employer_id", "marital_status", "status", "notes", "name_sort",
            ],
        ),
        "namekey": Table(PersonNameKey, ["person_id", "key", "name", "sort_key", "unit_id"]),
        "event": Table(
            LifeEvent,
            [
                "id", "person_id", "kind", "date", "unit_id", "data", "note", "reverses_id",
                "recorded_by_id", "recorded_at",
            ],
        ),
        "period": Table(
            PersonPeriod,
            [
                "id", "person_id", "valid_from", "valid_to", "unit_id", "employer_id",
                "marital_status", "status", "sex", "birth_date", "event_id",
            ],
        ),
        "household": Table(
            Household,
            ["id", "created_at", "updated_at", "unit_id", "number", "address", "head_id"],
        ),
        "member": Table(
            HouseholdMember,
            ["id", "household_id", "person_id", "relation", "joined_on", "left_on"],
        ),
        "couple": Table(
            Couple,
            [
                "id", "created_at", "updated_at", "unit_id", "wife_id", "husband_id",
                "outside_name", "outside_sex", "outside_id_encrypted", "outside_id_hash",
                "outside_id_masked", "outside_work_unit", "outside_township", "outside_phone",
                "married_on", "ended_on", "end_reason",
            ],
        ),
        "birth": Table(
            Birth,
            [
                "id", "created_at", "updated_at", "unit_id", "mother_id", "father_id",
                "couple_id", "child_id", "child_name", "date", "sex", "computed_order",
                "order_override", "order_override_reason", "place", "within_policy",
                "policy_limit",
            ],
        ),
        "pregnancy": Table(
            Pregnancy,
            [
                "id", "created_at", "updated_at", "unit_id", "woman_id", "registered_on",
                "expected_on", "outcome", "outcome_on", "birth_id",
            ],
        ),
        "transfer": Table(
            Transfer,
            [
                "id", "created_at", "updated_at", "unit_id", "person_id", "event_id", "reason",
                "opened_on", "status", "receiving_unit_id", "receiving_name", "records_handed",
                "completed_on", "completed_by_id", "clearance_number",
            ],
        )
    }  # fmt: skip


# --- values ---------------------------------------------------------------------------------


@functools.cache
def name_keys(name: str) -> tuple[str, str, tuple[str, ...]]:
    """:func:`jisheng.core.pinyin.search_keys` and :func:`~jisheng.core.pinyin.lookup_keys`
    of a name, remembered (generated names repeat)."""
    full, initials = pinyin.search_keys(name)
    return full, initials, tuple(pinyin.lookup_keys(name, full, initials))


def _date(value: datetime.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _json(value: dict) -> str:
    # What Django's JSONField stores (json.dumps with the default encoder).
    return json.dumps(value)


def id_columns(number: str) -> tuple[str, str, str]:
    """(encrypted, hash, mask) of a valid, normalised ID number — as ``services.id_fields``."""
    if not number:
        return "", "", ""
    # idnumber.mask() of an 18-character number, without normalising it again
    return crypto.encrypt(number), crypto.lookup_hash(number), idnumber.remask(number)


def policy_limit() -> int:
    """Births up to this order are within policy (the default policy: three children)."""
    return Birth._meta.get_field("policy_limit").get_default()


# --- preparing: everything that needs no database ------------------------------------------


@dataclass
class Prepared:
    """A chunk turned into row values with chunk-local references (no database ids yet).

    Built by :func:`prepare` — in this process or in a worker process — and written by
    :meth:`Loader.write`. ``*_l`` values are indexes into the chunk's own lists.
    """

    index: int
    # (name, pinyin, initials, sex, birth, id_status, encrypted, hash, mask, ethnicity,
    #  hukou_place, hukou_type, phone, education, unit_id, employer_id, marital, status,
    #  notes, name_sort) — the person row without id and time stamps
    persons: list[tuple]
    redraw: list[tuple[str, datetime.date, str]]  # (region, birth, sex) to re-number an ID
    name_keys: list[tuple[int, str]]  # (person_l, key): the PersonNameKey rows
    events: list[tuple]  # (person_l, kind, date, unit_id, data json)
    periods: list[tuple]  # (person_l, from, to, unit, employer, marital, status, sex, birth,
    #                        event_l)
    transfers: list[tuple]  # (person_l, event_l, unit_id, reason, kind, date, receiving)
    households: list[tuple]  # (unit_id, number, address, head_l)
    members: list[tuple]  # (household_l, person_l, relation, joined_on, left_on)
    couples: list[tuple]  # (unit_id, wife_l, husband_l, name, sex, encrypted, hash, mask,
    #                        work unit, township, phone, married_on, ended_on, end_reason)
    births: list[tuple]  # (unit_id, mother_l, father_l, couple_l, child_l, child_name, date,
    #                       sex, order, place)
    pregnancies: list[tuple]  # (unit_id, woman_l, registered, expected, outcome, outcome_on,
    #                            birth_l)


# Positions in Prepared.persons
P_ID_ENCRYPTED, P_ID_HASH, P_ID_MASK, P_UNIT, P_SORT = 6, 7, 8, 14, 19


def prepare(chunk: synthetic.Chunk) -> Prepared:
    """Row values of a generated chunk, as the services would compute them."""
    persons: list[tuple] = []
    redraw: list[tuple[str, datetime.date, str]] = []
    name_key_rows: list[tuple[int, str]] = []
    events: list[tuple] = []
    periods: list[tuple] = []
    transfers: list[tuple] = []
    unit_now: list[int] = []
    for person in chunk.persons:
        local = person.key
        register_data = {
            "unit_id": person.unit_id,
            "employer_id": person.employer_id,
            "marital_status": person.marital_status,
            "status": person.status,
        }
        first = len(events)
        steps = [timeline.Step(first, EventKind.REGISTER, person.registered_on, register_data)]
        for offset, event in enumerate(person.events, start=1):
            steps.append(timeline.Step(first + offset, event.kind, event.date, event.data))
        # each event is recorded in the unit the person is in just before it
        state: timeline.State | None = None
        for step in steps:
            event_unit = state.unit_id if state is not None else person.unit_id
            state = timeline.apply(state, step)
            date = step.date.isoformat()
            events.append((local, step.kind, date, event_unit, _json(step.data)))
            reason = REASON_FOR_EVENT.get(step.kind)
            if reason is not None:
                receiving = str(step.data.get("to", ""))[:200]
                transfers.append(
                    (local, step.key, event_unit, reason, step.kind, step.date, receiving)
                )
        spans = timeline.replay(steps)
        birth = person.birth_date.isoformat()
        for span in spans:
            periods.append(
                (
                    local,
                    span.valid_from.isoformat(),
                    _date(span.valid_to),
                    span.state.unit_id,
                    span.state.employer_id,
                    span.state.marital_status,
                    span.state.status,
                    person.sex,
                    birth,
                    span.key,
                )
            )
        current = spans[-1].state
        unit_now.append(current.unit_id)
        name = person.name.strip()
        full, initials, keys = name_keys(name)
        sort = pinyin.sort_key(name)  # cached
        name_key_rows.extend((local, key) for key in keys)
        encrypted, hashed, masked = id_columns(person.id_number)
        persons.append(
            (
                name,
                full,
                initials,
                person.sex,
                birth,
                person.id_status,
                encrypted,
                hashed,
                masked,
                person.ethnicity,
                person.hukou_place,
                person.hukou_type,
                person.phone.strip(),
                person.education,
                current.unit_id,
                current.employer_id,
                current.marital_status,
                current.status,
                "",
                sort,
            )
        )
        redraw.append((person.id_region, person.birth_date, person.sex))
    households: list[tuple] = []
    members: list[tuple] = []
    for household in chunk.households:
        local = len(households)
        households.append((household.unit_id, household.number, household.address, household.head))
        for member in household.members:
            members.append(
                (
                    local,
                    member.person,
                    member.relation,
                    _date(member.joined_on),
                    _date(member.left_on),
                )
            )
    couples: list[tuple] = []
    for couple in chunk.couples:
        someone = couple.wife if couple.wife is not None else couple.husband
        assert someone is not None
        couples.append(
            (
                unit_now[someone],
                couple.wife,
                couple.husband,
                couple.outside_name,
                couple.outside_sex,
                *id_columns(couple.outside_id),
                couple.outside_work_unit,
                couple.outside_township,
                couple.outside_phone,
                couple.married_on.isoformat(),
                _date(couple.ended_on),
                couple.end_reason,
            )
        )
    births = [
        (
            unit_now[b.mother],
            b.mother,
            b.father,
            b.couple,
            b.child,
            chunk.persons[b.child].name,
            b.date.isoformat(),
            b.sex,
            b.order,
            b.place,
        )
        for b in chunk.births
    ]
    pregnancies = [
        (
            unit_now[g.woman],
            g.woman,
            g.registered_on.isoformat(),
            _date(g.expected_on),
            g.outcome,
            _date(g.outcome_on),
            g.birth,
        )
        for g in chunk.pregnancies
    ]
    return Prepared(
        chunk.index,
        persons,
        redraw,
        name_key_rows,
        events,
        periods,
        transfers,
        households,
        members,
        couples,
        births,
        pregnancies,
    )


# --- writing ------------------------------------------------------------------------------------


@dataclass
class LoadResult:
    persons: int = 0
    events: int = 0
    periods: int = 0
    households: int = 0
    members: int = 0
    couples: int = 0
    births: int = 0
    pregnancies: int = 0
    transfers: int = 0
    seconds: float = 0.0
    write_seconds: float = 0.0  # of which writing rows
    index_seconds: float = 0.0  # of which building indexes (initial load)
    skipped: bool = False  # the population was there already
    batches: list[tuple[int, float]] = field(default_factory=list)  # (persons, seconds)

    COUNTS = (
        "persons",
        "events",
        "periods",
        "households",
        "members",
        "couples",
        "births",
        "pregnancies",
        "transfers",
        "write_seconds",
    )

    def add(self, other: LoadResult) -> None:
        for name in self.COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))


def _registered(hashes: list[str]) -> set[str]:
    """Those of ``hashes`` that registered persons have."""
    found: set[str] = set()
    for start in range(0, len(hashes), 500):
        found.update(
            Person.objects.filter(id_hash__in=hashes[start : start + 500]).values_list(
                "id_hash", flat=True
            )
        )
    return found


def _pick(ids: list[int], local: int | None) -> int | None:
    return ids[local] if local is not None else None


class Loader:
    """Writes prepared chunks below ``root``: rows as the services write them."""

    def __init__(
        self,
        *,
        root: Unit,
        end: datetime.date,
        ids: synthetic.IdAllocator | None = None,
        audit_message: str = "",
    ) -> None:
        self.root = root
        self.end = end
        self.ids = ids
        self.audit_message = audit_message
        self.tables = _tables()
        self.unit_codes: dict[int, str] = dict(
            Unit.objects.filter(path__startswith=root.path).values_list("id", "code")
        )
        self.clearance: dict[tuple[int, int], int] = {}
        self.limit = policy_limit()
        # Look for ID numbers registered already (an initial load into an empty registry,
        # whose numbers all come from one allocator, has none to find).
        self.check_registered = True

    def _free_ids(self, batch: list[Prepared]) -> None:
        """Re-number any ID number that is registered already (or twice in the batch)."""
        numbered = {
            row[P_ID_HASH]: (prepared, i)
            for prepared in batch
            for i, row in enumerate(prepared.persons)
            if row[P_ID_HASH]
        }
        in_batch = set(numbered)
        registered = _registered if self.check_registered else (lambda _hashes: set())
        pending = [numbered[value] for value in registered(list(numbered))]
        while pending:
            if self.ids is None:
                raise GenerateError(_("Some ID numbers are registered already."))
            fresh: dict[str, tuple[Prepared, int]] = {}
            for prepared, i in pending:
                region, birth, sex = prepared.redraw[i]
                row = prepared.persons[i]
                columns = id_columns(self.ids.next(region, birth, sex))
                prepared.persons[i] = row[:P_ID_ENCRYPTED] + columns + row[P_ID_MASK + 1 :]
                fresh[columns[1]] = (prepared, i)
            clashes = registered(list(fresh)) | (set(fresh) & in_batch)
            in_batch.update(fresh)
            pending = [fresh[value] for value in clashes]

    def write(self, batch: Iterable[Prepared | synthetic.Chunk]) -> LoadResult:
        """Write prepared (or generated) chunks in one transaction; returns the counts."""
        prepared = [prepare(p) if isinstance(p, synthetic.Chunk) else p for p in batch]
        started = time.perf_counter()
        self._free_ids(prepared)
        with transaction.atomic():
            result = self._write(prepared)
            audit.record(
                actor=None,
                action=AuditAction.IMPORT,
                obj=self.root,
                message=self.audit_message
                or _("Bulk-loaded %(n)d persons.") % {"n": result.persons},
                changes={"persons": result.persons, "households": result.households},
            )
        result.seconds = time.perf_counter() - started
        return result

    def _write(self, batch: list[Prepared]) -> LoadResult:
        t = self.tables
        result = LoadResult()
        written_before = sum(table.seconds for table in t.values())
        stamp = connection.ops.adapt_datetimefield_value(timezone.now())
        stamps = (stamp, stamp)
        today = self.end.toordinal()

        def reserve(name: str, attribute: str) -> list[list[int]]:
            counts = [len(getattr(p, attribute)) for p in batch]
            ids = t[name].reserve_ids(sum(counts))
            out, start = [], 0
            for count in counts:
                out.append(ids[start : start + count])
                start += count
            return out

        person_ids = reserve("person", "persons")
        event_ids = reserve("event", "events")
        period_ids = reserve("period", "periods")
        transfer_ids = reserve("transfer", "transfers")
        household_ids = reserve("household", "households")
        member_ids = reserve("member", "members")
        couple_ids = reserve("couple", "couples")
        birth_ids = reserve("birth", "births")
        pregnancy_ids = reserve("pregnancy", "pregnancies")

        rows: list[tuple] = []
        for n, p in enumerate(batch):
            ids = person_ids[n]
            rows.extend((ids[i], *stamps, *row) for i, row in enumerate(p.persons))
        result.persons = t["person"].write(rows)
        rows = []
        for n, p in enumerate(batch):
            ids = person_ids[n]
            rows.extend(
                (ids[pl], key, p.persons[pl][0], p.persons[pl][P_SORT], p.persons[pl][P_UNIT])
                for pl, key in p.name_keys
            )
        t["namekey"].write(rows)

        rows = []
        for n, p in enumerate(batch):
            pids, eids = person_ids[n], event_ids[n]
            rows.extend(
                (eids[i], pids[pl], kind, date, unit, data, "", None, None, stamp)
                for i, (pl, kind, date, unit, data) in enumerate(p.events)
            )
        result.events = t["event"].write(rows)

        rows = []
        for n, p in enumerate(batch):
            pids, eids, ids = person_ids[n], event_ids[n], period_ids[n]
            rows.extend((ids[i], pids[r[0]], *r[1:9], eids[r[9]]) for i, r in enumerate(p.periods))
        result.periods = t["period"].write(rows)

        rows = []
        for n, p in enumerate(batch):
            pids, eids, ids = person_ids[n], event_ids[n], transfer_ids[n]
            for i, (pl, el, unit_id, reason, kind, date, receiving) in enumerate(p.transfers):
                day = date.toordinal()
                if day <= today - TRANSFER_COMPLETED_AFTER_DAYS:
                    completed = datetime.date.fromordinal(min(today, day + 3 + ids[i] % 40))
                    rows.append(
                        (
                            ids[i], *stamps, unit_id, pids[pl], eids[el], reason,
                            date.isoformat(), TransferStatus.COMPLETED, None,
                            receiving or RECEIVING_DEFAULT[kind], RECORDS_HANDED,
                            completed.isoformat(), None,
                            self._clearance_number(unit_id, completed.year),
                        )
                    )  # fmt: skip
                else:
                    rows.append(
                        (
                            ids[i], *stamps, unit_id, pids[pl], eids[el], reason,
                            date.isoformat(), TransferStatus.OPEN, None, receiving, "", None,
                            None, "",
                        )
                    )  # fmt: skip
        result.transfers = t["transfer"].write(rows)

        rows = []
        members = []
        for n, p in enumerate(batch):
            pids, hids, mids = person_ids[n], household_ids[n], member_ids[n]
            rows.extend(
                (hids[i], *stamps, unit, number, address, _pick(pids, head))
                for i, (unit, number, address, head) in enumerate(p.households)
            )
            members.extend(
                (mids[i], hids[hl], pids[pl], relation, joined, left)
                for i, (hl, pl, relation, joined, left) in enumerate(p.members)
            )
        result.households = t["household"].write(rows)
        result.members = t["member"].write(members)

        rows = []
        for n, p in enumerate(batch):
            pids, ids = person_ids[n], couple_ids[n]
            rows.extend(
                (ids[i], *stamps, r[0], _pick(pids, r[1]), _pick(pids, r[2]), *r[3:])
                for i, r in enumerate(p.couples)
            )
        result.couples = t["couple"].write(rows)

        rows = []
        limit = self.limit
        for n, p in enumerate(batch):
            pids, cids, ids = person_ids[n], couple_ids[n], birth_ids[n]
            rows.extend(
                (
                    ids[i], *stamps, unit, pids[mother], _pick(pids, father), _pick(cids, couple),
                    pids[child], child_name, date, sex, order, None, "", place, order <= limit,
                    limit,
                )
                for i, (unit, mother, father, couple, child, child_name, date, sex, order, place)
                in enumerate(p.births)
            )  # fmt: skip
        result.births = t["birth"].write(rows)

        rows = []
        for n, p in enumerate(batch):
            pids, bids, ids = person_ids[n], birth_ids[n], pregnancy_ids[n]
            rows.extend(
                (ids[i], *stamps, r[0], pids[r[1]], *r[2:6], _pick(bids, r[6]))
                for i, r in enumerate(p.pregnancies)
            )
        result.pregnancies = t["pregnancy"].write(rows)
        result.write_seconds = sum(table.seconds for table in t.values()) - written_before
        return result

    def _clearance_number(self, unit_id: int, year: int) -> str:
        key = (unit_id, year)
        if key not in self.clearance and not self.check_registered:
            self.clearance[key] = 0  # an initial load: no transfers yet
        if key not in self.clearance:
            self.clearance[key] = Transfer.objects.filter(
                unit_id=unit_id, completed_on__year=year, status=TransferStatus.COMPLETED
            ).count()
        self.clearance[key] += 1
        code = self.unit_codes.get(unit_id) or Unit.objects.get(pk=unit_id).code
        return f"YJ{code}-{year}-{self.clearance[key]:04d}"


# --- generating a population --------------------------------------------------------------------


def _place(unit: Unit, names: dict[str, str]) -> str:
    """``示范县青石镇柳河村``: the names of the territorial units on the path to ``unit``."""
    parts = []
    for depth in range(1, unit.depth + 1):
        name = names.get(unit.path[: depth * Unit.steplen])
        if name:
            parts.append(name)
    return "".join(parts)


def placement_units(root: Unit) -> tuple[list[synthetic.UnitRef], list[synthetic.UnitRef]]:
    """(residence units, work units) of the subtree of ``root`` that people are placed in.

    Residence: villages, communities and association groups, except a village whose
    groups hold its people; work units: the lowest units of enterprises, schools … .
    When the subtree has neither, ``root`` itself.
    """
    units = list(
        Unit.objects.filter(path__startswith=root.path, is_active=True)
        .only("id", "code", "name", "path", "depth", "unit_type", "numchild")
        .order_by("path")
    )
    names = {u.path: u.name for u in units if u.unit_type not in WORK_TYPES}
    names.update(
        {
            u.path: u.name
            for u in Unit.objects.filter(
                path__in=[root.path[: d * Unit.steplen] for d in range(1, root.depth)]
            )
        }
    )
    with_groups = {
        u.path[: -Unit.steplen] for u in units if u.unit_type == UnitType.GROUP and u.depth > 1
    }
    residence = [
        synthetic.UnitRef(u.id, u.code, u.name, _place(u, names))
        for u in units
        if u.unit_type in RESIDENCE_TYPES and u.path not in with_groups
    ]
    work = [
        synthetic.UnitRef(u.id, u.code, u.name, _place(u, names) + u.name, work=True)
        for u in units
        if u.unit_type in WORK_TYPES and u.numchild == 0
    ]
    if not residence and not work:
        ref = synthetic.UnitRef(root.id, root.code, root.name, _place(root, names))
        if root.unit_type in WORK_TYPES:
            work = [synthetic.UnitRef(ref.id, ref.code, ref.name, ref.place, work=True)]
        else:
            residence = [ref]
    return residence, work


def chunk_units(units: list[synthetic.UnitRef], index: int, chunks: int) -> list[synthetic.UnitRef]:
    """The residence units of chunk ``index`` of ``chunks``: a slice of its own when there
    are enough units (neighbours live in the same few groups, and every group gets its
    households from one chunk), else all of them."""
    if len(units) < 2 * chunks:
        return units
    return units[index * len(units) // chunks : (index + 1) * len(units) // chunks]


def number_prefix(seed: int) -> str:
    """Household numbers of a generated population start with this (``G<seed>-``)."""
    return f"G{seed}-"


def generated_count(root: Unit, seed: int) -> int:
    """How many persons the population of ``seed`` already has below ``root``."""
    return HouseholdMember.objects.filter(
        household__number__startswith=number_prefix(seed),
        household__unit__path__startswith=root.path,
    ).count()


_worker_ids: synthetic.IdAllocator | None = None


def _start_worker(seed: int, salt: str) -> None:
    global _worker_ids
    _worker_ids = synthetic.IdAllocator(seed, salt=salt)


def _chunk_job(job: tuple) -> Prepared:
    """Generate and prepare one chunk (in a worker process, or in this one)."""
    seed, salt, index, size, end, residence, work, prefix = job
    assert _worker_ids is not None
    chunk = synthetic.generate_chunk(
        seed=seed,
        salt=salt,
        chunk_index=index,
        size=size,
        end=end,
        residence=residence,
        work=work,
        ids=_worker_ids,
        number_prefix=prefix,
    )
    return prepare(chunk)


def default_workers(count: int) -> int:
    """One worker process preparing rows while this one writes, for large loads."""
    return 1 if count >= 20000 and (os.cpu_count() or 1) >= 2 else 0


def generate_persons(
    *,
    root: Unit,
    count: int,
    seed: int = 1,
    end: datetime.date | None = None,
    batch: int = DEFAULT_BATCH,
    workers: int | None = None,
    initial_load: bool | None = None,
    territory: bool = True,
    progress: Callable[[int, int, float], None] | None = None,
) -> LoadResult:
    """Generate and load ``count`` persons below ``root`` (see :mod:`.synthetic`).

    Idempotent: when the population of this seed is already there with ``count`` persons
    nothing is written (``result.skipped``); with another count it refuses, since adding
    to it would duplicate people. ``workers=1`` generates and prepares the rows in a
    separate process while this one writes (the default for large loads); the people
    are the same either way. ``initial_load`` (default: 100,000 persons or more into an
    empty registry) drops the registry tables' secondary indexes, loads everything in one
    transaction and builds the indexes again at the end, which is several times faster.
    ``territory`` first completes the organisation below ``root`` so that the people fit
    (:func:`jisheng.orgs.synthetic.build_territory`: villages of about 2,000 people,
    association groups of 20–30 households).
    """
    if count < 1:
        raise GenerateError(_("The number of persons must be at least 1."))
    end = end or timezone.localdate()
    existing = generated_count(root, seed)
    if existing == count:
        return LoadResult(persons=existing, skipped=True)
    if existing:
        raise GenerateError(
            _(
                "Seed %(seed)d already generated %(n)d persons under %(unit)s; "
                "choose another seed rather than duplicating them."
            )
            % {"seed": seed, "n": existing, "unit": root.name}
        )
    if territory:
        build_territory(root, count)
    residence, work = placement_units(root)
    workers = default_workers(count) if workers is None else workers
    loader = Loader(
        root=root,
        end=end,
        # re-numbering IDs found taken uses its own sequence, apart from the generator's
        ids=synthetic.IdAllocator(seed, salt=f"{root.code}/again"),
        audit_message=_("Generated %(n)d synthetic persons (seed %(seed)d) under %(unit)s.")
        % {"n": count, "seed": seed, "unit": root.name},
    )
    prefix = number_prefix(seed)
    full, rest = divmod(count, CHUNK_SIZE)
    sizes = [CHUNK_SIZE] * full + ([rest] if rest else [])
    jobs = [
        (seed, root.code, index, size, end, chunk_units(residence, index, len(sizes)), work, prefix)
        for index, size in enumerate(sizes)
    ]
    result = LoadResult()
    started = time.perf_counter()
    batch = max(batch, 1)
    pending: list[Prepared] = []
    pending_size = 0

    def take(prepared: Prepared) -> None:
        nonlocal pending, pending_size
        pending.append(prepared)
        pending_size += len(prepared.persons)
        if pending_size >= batch:
            flush()

    def flush() -> None:
        nonlocal pending, pending_size
        if not pending:
            return
        batch_started = time.perf_counter()
        written = loader.write(pending)
        result.add(written)
        result.batches.append((written.persons, time.perf_counter() - batch_started))
        pending, pending_size = [], 0
        if progress is not None:
            progress(result.persons, count, time.perf_counter() - started)

    def run() -> None:
        if workers <= 0:
            _start_worker(seed, root.code)
            for job in jobs:
                take(_chunk_job(job))
        else:
            context = multiprocessing.get_context("fork")
            ahead = max(2, batch // CHUNK_SIZE + 2)  # chunks prepared ahead of the writer
            # One worker: it keeps the ID sequence in order, chunk after chunk.
            with context.Pool(1, initializer=_start_worker, initargs=(seed, root.code)) as pool:
                queue: deque = deque()
                for job in jobs:
                    queue.append(pool.apply_async(_chunk_job, (job,)))
                    if len(queue) >= ahead:
                        take(queue.popleft().get())
                while queue:
                    take(queue.popleft().get())
        flush()

    if initial_load is None:
        initial_load = count >= INITIAL_LOAD_MIN and not Person.objects.exists()
    if initial_load:
        # An empty registry: build the secondary indexes once at the end instead of
        # updating them row by row. One transaction, so that nothing is left half done
        # (nor an index missing) whatever happens.
        loader.check_registered = False
        with bulkcopy.without_indexes(LOADED_MODELS) as rebuild:
            run()
        result.index_seconds = rebuild.seconds
    else:
        run()
    # A county's few dozen units are below autovacuum's threshold (50 rows), so their
    # statistics may never have been gathered; without them the planner takes a subtree
    # filter for one unit and picks nested loops over the periods.
    bulkcopy.analyse(LOADED_MODELS, result.persons, also=[Unit])
    result.seconds = time.perf_counter() - started
    return result


LOADED_MODELS = (
    Person,
    PersonNameKey,
    LifeEvent,
    PersonPeriod,
    Household,
    HouseholdMember,
    Couple,
    Birth,
    Pregnancy,
    Transfer,
)
INITIAL_LOAD_MIN = 100_000  # persons: below this the indexes are updated as rows go in
