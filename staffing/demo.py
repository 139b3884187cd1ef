"""Demo data for staffing: positions, eight staff with availability, a published schedule for last,
this and next week that follows the store's opening hours, and time-clock entries for the shifts that
have already happened (or started). Generic: it reads the store's own opening hours and goes through
the same services as the pages, so every shift passes the conflict rules. The lead's loader calls
`build(store, now=...)` after it has set the store's opening hours.
"""

import datetime as dt
from decimal import Decimal

from restaurant_ops.errors import DomainError
from restaurant_ops.models import Membership, Role, Store
from restaurant_ops.timeutils import business_date

from . import services
from .models import Availability, DaysOff, Position, Shift, StaffingTarget, StaffMember
from .selectors import week_start_for

POSITIONS = [
    # name, load kind, productivity (load units per staff-hour), minimum per open hour
    ("cashier", Position.LoadKind.ORDERS, Decimal("12"), 1),
    ("server", Position.LoadKind.ORDERS, Decimal("8"), 0),
    ("cook", Position.LoadKind.KITCHEN_ITEMS, Decimal("25"), 1),
    ("manager", Position.LoadKind.ORDERS, None, 1),
]

STAFF = [
    # name, positions, hourly cost, weekday not available, which member role may be linked to them
    ("Alex Chen", ["manager", "cashier"], Decimal("24.00"), 6, Role.MANAGER),
    ("Sam Ortiz", ["cashier", "server"], Decimal("15.50"), 0, Role.CASHIER),
    ("Jordan Lee", ["cashier"], Decimal("14.75"), 1, None),
    ("Priya Nair", ["server", "cashier"], Decimal("15.00"), 2, None),
    ("Tom Becker", ["server"], Decimal("14.50"), 3, None),
    ("Lena Fischer", ["cook"], Decimal("18.50"), 4, Role.COOK),
    ("Omar Haddad", ["cook"], Decimal("17.75"), 5, None),
    ("Kai Müller", ["cook", "server"], Decimal("16.25"), 6, None),
]

DEFAULT_HOURS = (dt.time(11), dt.time(22))  # used only when the store has no opening hours at all


def _open_spans(store: Store, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
    """The store's opening spans that start on a local date (closing after midnight included)."""
    spans = [(o.opens, o.closes) for o in store.opening_hours.all() if o.weekday == day.weekday()]
    if not store.opening_hours.exists():
        spans = [DEFAULT_HOURS]
    out = []
    for opens, closes in spans:
        start = dt.datetime.combine(day, opens, tzinfo=store.tz)
        end_day = day + dt.timedelta(days=1) if closes <= opens else day
        out.append((start, dt.datetime.combine(end_day, closes, tzinfo=store.tz)))
    return out


def _plan(start: dt.datetime, end: dt.datetime, busy_day: bool) -> list[tuple[str, dt.datetime, dt.datetime]]:
    """Shifts for one opening span: a manager, early and late cashier and cook, servers for the evening."""
    hours = int((end - start).total_seconds() // 3600)
    middle = start + dt.timedelta(hours=max(1, hours // 2))
    plan = [
        ("manager", start, min(end, start + dt.timedelta(hours=10))),
        ("cashier", start, middle),
        ("cashier", middle, end),
        ("cook", start, middle),
        ("cook", middle, end),
        ("server", middle, end),
    ]
    if busy_day:
        plan += [("server", middle, end), ("cook", middle, end)]
    return plan


def _schedule_week(store: Store, week_start: dt.date, staff_by_position: dict, reason: str) -> list[Shift]:
    created = []
    turn = 0
    for offset in range(7):
        day = week_start + dt.timedelta(days=offset)
        working: set[int] = set()  # one shift per person per day
        for span_start, span_end in _open_spans(store, day):
            for position_name, start, end in _plan(span_start, span_end, busy_day=day.weekday() in (4, 5)):
                candidates = staff_by_position[position_name]
                for attempt in range(len(candidates)):
                    person = candidates[(turn + attempt) % len(candidates)]
                    if person.pk in working:
                        continue
                    try:
                        shift = services.shift_create(
                            store=store,
                            staff=person,
                            position=person.demo_positions[position_name],
                            start=start,
                            end=end,
                            reason=reason,
                        )
                    except DomainError:
                        continue
                    created.append(shift)
                    working.add(person.pk)
                    break
                turn += 1
    return created


def build(store: Store, *, now: dt.datetime) -> dict:
    """Creates the demo staffing of `store` as of `now` (aware). Returns a short summary."""
    positions = {}
    for name, load_kind, productivity, minimum in POSITIONS:
        positions[name] = Position.objects.filter(store=store, name=name).first() or services.position_create(
            store=store,
            name=name,
            load_kind=load_kind,
            productivity_target=productivity,
            min_staff_per_open_hour=minimum,
        )
    StaffingTarget.objects.get_or_create(store=store, defaults={"labour_cost_target_pct": Decimal("28.00")})

    linkable = {
        role: [
            m.user
            for m in Membership.objects.filter(store=store, role=role).select_related("user").order_by("pk")
            if not StaffMember.objects.filter(store=store, user=m.user).exists()
        ]
        for role in Role.values
    }
    staff_by_position: dict[str, list[StaffMember]] = {name: [] for name in positions}
    members = []
    for name, position_names, cost, off_weekday, link_role in STAFF:
        person = StaffMember.objects.filter(store=store, name=name).first()
        if person is None:
            user = linkable[link_role].pop(0) if link_role and linkable.get(link_role) else None
            person = services.staff_member_create(
                store=store,
                name=name,
                hourly_cost=cost,
                user=user,
                positions=[positions[p] for p in position_names],
            )
            for weekday in range(7):
                if weekday != off_weekday:  # 06:00 to 04:00 next morning: any opening span fits
                    services.availability_add(staff=person, weekday=weekday, start=dt.time(6), end=dt.time(4))
        person.demo_positions = {p: positions[p] for p in position_names}
        members.append(person)
        for p in position_names:
            staff_by_position[p].append(person)

    this_week = week_start_for(business_date(store, now))
    priya = members[3]
    if not DaysOff.objects.filter(staff=priya).exists():
        services.days_off_add(
            staff=priya,
            first_day=this_week + dt.timedelta(days=9),
            last_day=this_week + dt.timedelta(days=10),
            reason="Family visit",
        )

    summary = {"positions": len(positions), "staff": len(members), "shifts": 0, "clock_entries": 0}
    for week_start in (this_week - dt.timedelta(days=7), this_week, this_week + dt.timedelta(days=7)):
        if Shift.objects.filter(store=store, week_start=week_start).exists():
            continue
        reason = "" if store.opening_hours.exists() else "Demo hours: the store has no opening hours yet"
        shifts = _schedule_week(store, week_start, staff_by_position, reason=reason)
        summary["shifts"] += len(shifts)
        if shifts:
            services.week_publish(store=store, week_start=week_start)
        for shift in sorted(shifts, key=lambda s: s.start):
            if shift.start > now:
                continue
            early = dt.timedelta(minutes=shift.pk % 9)
            services.clock_in(staff=shift.staff, at=shift.start - early, position=shift.position)
            summary["clock_entries"] += 1
            finished = shift.end + dt.timedelta(minutes=(shift.pk % 13) - 4)
            if finished <= now:
                services.clock_out(staff=shift.staff, at=finished)
    summary["availability"] = Availability.objects.filter(staff__store=store).count()
    return summary
