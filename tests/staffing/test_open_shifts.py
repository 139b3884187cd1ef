"""Open shifts (a shift with no one yet) claimed in My shifts, and the maximum weekly hours that a
suggested or claimed shift never exceeds."""

import datetime as dt
import threading
import time
from decimal import Decimal

import psycopg2
import pytest
from django.db import connection
from django.urls import reverse

from restaurant_ops.errors import DomainError
from restaurant_ops.models import Role
from staffing import services
from staffing.models import Shift
from staffing.selectors import StaffingSuggestion, staffing_suggestions
from tests.factories import MembershipFactory
from tests.staffing.conftest import at
from tests.staffing.factories import StaffMemberFactory

FUTURE_MONDAY = dt.date(2030, 3, 4)
FRIDAY = FUTURE_MONDAY + dt.timedelta(days=4)


def _open_shift(store, position, start_hour=18, hours=4):
    return services.open_shift_publish(
        store=store,
        position=position,
        start=at(FRIDAY, start_hour),
        end=at(FRIDAY, start_hour) + dt.timedelta(hours=hours),
    )


def _logged_in(client, store, staff):
    user = MembershipFactory(store=store, role=Role.CASHIER).user
    staff.user = user
    staff.save()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_a_suggested_shift_never_takes_anyone_over_their_maximum_weekly_hours(open_store, cashier, ben):
    services.shift_create(
        store=open_store, staff=ben, position=cashier, start=at(FUTURE_MONDAY, 11), end=at(FUTURE_MONDAY, 20)
    )  # 9 h on Monday
    services.staff_member_update(staff=ben, max_weekly_hours=12)
    suggestion = StaffingSuggestion(
        kind="gap",
        store_id=open_store.pk,
        position_id=cashier.pk,
        position_name="cashier",
        load_kind="orders",
        start=at(FRIDAY, 18),
        end=at(FRIDAY, 22),
        count=1,
        needed=2,
        scheduled=1,
        peak_load=Decimal("20"),
        capacity=Decimal("12"),
    )
    with pytest.raises(DomainError) as refused:
        services.suggestion_apply(suggestion=suggestion, staff=ben)
    assert refused.value.code == "over_max_hours"  # 9 + 4 = 13 h > 12
    assert "13 h" in refused.value.message and "maximum of 12 h" in refused.value.message
    services.staff_member_update(staff=ben, max_weekly_hours=13)  # 13 h is allowed
    assert services.suggestion_apply(suggestion=suggestion, staff=ben).minutes == 240


@pytest.mark.django_db
def test_qualified_staff_see_an_open_shift_in_my_shifts_and_the_first_claim_takes_it(
    client, open_store, cashier, cook, anna, ben
):
    shift = _open_shift(open_store, cashier)
    assert (shift.staff_id, shift.hourly_cost) == (None, Decimal("15.25"))  # (16.00 + 14.50) / 2
    cook_only = StaffMemberFactory(store=open_store, name="Cai", positions=[cook])

    page = _logged_in(client, open_store, cook_only).get(
        reverse("staffing:my-shifts", args=[open_store.slug])
    )
    assert 'data-testid="open-shift"' not in page.content.decode()  # not a cashier: not offered

    _logged_in(client, open_store, ben)
    page = client.get(reverse("staffing:my-shifts", args=[open_store.slug])).content.decode()
    assert f'data-shift="{shift.pk}"' in page and "18:00–22:00" in page
    claim = reverse("staffing:open-shift-claim", args=[open_store.slug, shift.pk])
    page = client.post(claim, follow=True).content.decode()
    assert "is yours" in page and 'data-testid="open-shift"' not in page
    shift.refresh_from_db()
    assert (shift.staff_id, shift.hourly_cost) == (ben.pk, Decimal("14.50"))  # now Ben's cost

    _logged_in(client, open_store, anna)
    page = client.post(claim, follow=True).content.decode()
    assert "Someone else has already taken this shift." in page
    shift.refresh_from_db()
    assert shift.staff_id == ben.pk


@pytest.mark.django_db
def test_a_claim_over_the_maximum_weekly_hours_or_on_a_day_off_is_refused(open_store, cashier, ben):
    shift = _open_shift(open_store, cashier, hours=6)
    services.staff_member_update(staff=ben, max_weekly_hours=5)
    with pytest.raises(DomainError) as refused:
        services.open_shift_claim(shift=shift, staff=ben)
    assert refused.value.code == "over_max_hours"
    services.staff_member_update(staff=ben, max_weekly_hours=None)
    services.days_off_add(staff=ben, first_day=FRIDAY, last_day=FRIDAY)
    with pytest.raises(DomainError) as refused:
        services.open_shift_claim(shift=shift, staff=ben)
    assert refused.value.code == "day_off"
    shift.refresh_from_db()
    assert shift.staff_id is None


@pytest.mark.django_db(transaction=True)
def test_two_claims_at_once_one_wins_and_the_other_is_told_it_is_taken(open_store, cashier, anna, ben):
    """Anna's claim holds the shift's row lock while Ben's claim is made; Ben's waits on the lock (seen
    in pg_stat_activity, so the two really overlap) and, once Anna's commits, is refused with `taken`."""
    from django.db import transaction

    shift = _open_shift(open_store, cashier)
    anna_claimed, outcome = threading.Event(), {}

    def waiting_on_a_lock() -> bool:
        settings = connection.settings_dict
        conn = psycopg2.connect(
            dbname=settings["NAME"],
            user=settings["USER"],
            password=settings["PASSWORD"],
            host=settings["HOST"],
            port=settings["PORT"] or 5432,
        )
        try:
            with conn.cursor() as cursor:
                for _ in range(3000):  # up to 30 s for Ben's claim to reach the lock on a busy machine
                    cursor.execute(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                        " AND wait_event_type = 'Lock'"
                    )
                    if cursor.fetchone()[0]:
                        return True
                    time.sleep(0.01)
            return False
        finally:
            conn.close()

    def claim(staff, first: bool):
        try:
            if first:
                with transaction.atomic():
                    services.open_shift_claim(shift=shift, staff=staff)
                    anna_claimed.set()
                    outcome["overlap"] = waiting_on_a_lock()
            else:
                anna_claimed.wait(10)
                services.open_shift_claim(shift=shift, staff=staff)
            outcome[staff.name] = "claimed"
        except DomainError as error:
            outcome[staff.name] = error.code
        finally:
            connection.close()

    threads = [
        threading.Thread(target=claim, args=(anna, True)),
        threading.Thread(target=claim, args=(ben, False)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert outcome == {"overlap": True, "Anna": "claimed", "Ben": "taken"}
    assert Shift.objects.get(pk=shift.pk).staff_id == anna.pk


@pytest.mark.django_db
def test_the_owner_sets_and_clears_a_maximum_weekly_hours_on_the_staff_page_and_the_api(
    client, open_store, ben
):
    client.force_login(MembershipFactory(store=open_store, role=Role.OWNER).user)
    page = reverse("staffing:setup-staff", args=[open_store.slug])
    assert f'name="s{ben.pk}-max_weekly_hours"' in client.get(page).content.decode()
    fields = {"set_cost": ben.pk, f"s{ben.pk}-hourly_cost": "14.50"}
    assert client.post(page, {**fields, f"s{ben.pk}-max_weekly_hours": "30"}).status_code == 302
    ben.refresh_from_db()
    assert ben.max_weekly_hours == 30
    api = f"/api/v1/staffing/staff/{ben.pk}/"
    assert client.get(api).json()["max_weekly_hours"] == 30
    response = client.patch(api, {"max_weekly_hours": None}, content_type="application/json")
    assert response.status_code == 200 and response.json()["max_weekly_hours"] is None
    assert client.post(page, {**fields, f"s{ben.pk}-max_weekly_hours": "200"}).status_code == 400  # > 168
    ben.refresh_from_db()
    assert ben.max_weekly_hours is None


@pytest.mark.django_db
def test_the_schedule_offers_a_suggestion_only_to_who_can_take_it_or_publishes_it_open(
    client, open_store, cashier, cook, anna, ben
):
    """Friday 18–20 needs one more cashier. Anna (cashier and cook) already works then; Ben is free;
    Cai is a cook only. Then Ben takes a day off: nobody fits, and the line publishes an open shift."""
    services.staffing_requirements_replace(
        open_store,
        FUTURE_MONDAY,
        [
            {
                "position": cashier,
                "hour_start": at(FRIDAY, h),
                "needed_staff": 2,
                "forecast_load": Decimal("20"),
            }
            for h in (18, 19)
        ],
    )
    services.shift_create(
        store=open_store, staff=anna, position=cashier, start=at(FRIDAY, 17), end=at(FRIDAY, 21)
    )
    cai = StaffMemberFactory(store=open_store, name="Cai", positions=[cook])
    client.force_login(MembershipFactory(store=open_store, role=Role.MANAGER).user)
    page = reverse("staffing:schedule", args=[open_store.slug])
    html = client.get(page, {"week": FUTURE_MONDAY.isoformat()}).content.decode()
    options = html[html.index('id="apply-1"') : html.index("</select>", html.index('id="apply-1"'))]
    assert f'value="{ben.pk}"' in options and 'value="open"' in options
    assert all(f'value="{p.pk}"' not in options for p in (anna, cai))

    services.days_off_add(staff=ben, first_day=FRIDAY, last_day=FRIDAY)
    html = client.get(page, {"week": FUTURE_MONDAY.isoformat()}).content.decode()
    assert "Nobody who works as cashier is free then" in html
    (gap,) = [s for s in staffing_suggestions(store=open_store, week_start=FUTURE_MONDAY) if s.kind == "gap"]
    key = gap.key
    client.post(
        reverse("staffing:suggestion-apply", args=[open_store.slug]),
        {"week": FUTURE_MONDAY.isoformat(), "key": key, "staff": "open"},
    )
    shift = Shift.objects.get(staff__isnull=True)
    assert (shift.position_id, shift.start, shift.end) == (cashier.pk, at(FRIDAY, 18), at(FRIDAY, 20))


@pytest.mark.django_db
def test_an_open_shift_is_claimed_through_the_api_once(client, open_store, cashier, anna, ben):
    shift = _open_shift(open_store, cashier)
    url = f"/api/v1/staffing/shifts/{shift.pk}/claim/"
    _logged_in(client, open_store, ben)
    response = client.post(url, {"staff": ben.pk}, content_type="application/json")
    assert response.status_code == 200 and response.json()["staff"] == ben.pk
    _logged_in(client, open_store, anna)
    response = client.post(url, {"staff": anna.pk}, content_type="application/json")
    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "taken"
    response = client.post(url, {"staff": ben.pk}, content_type="application/json")  # not hers to give
    assert response.status_code == 403
