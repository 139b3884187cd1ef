"""Builds the demo restaurant up to a given moment through the apps' own services.

It writes history and set-up, never insights: the real Celery jobs turn this data into the story
(queued at the end, so a worker started by `make run` produces them within a minute).
The one bulk path is the sales-history import; today's orders go through the order service, so
they move stock, reach the kitchen and land on checks like any other order."""

import datetime as dt
import random
from collections import defaultdict
from decimal import ROUND_CEILING, Decimal

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import ProtectedError

from analytics.analyses.margin import periods
from inventory import services as inventory
from inventory.models import Ingredient, PurchaseOrder
from kitchen import services as kitchen
from kitchen.models import Ticket
from orders import services as orders
from orders.history import HistoryLine, history_write
from orders.models import CashDrawerSession, MenuCategory, MenuItem, Modifier, ModifierGroup, Order, Table
from orders.selectors import drawer_report
from restaurant_ops.models import ClosedDate, Daypart, Membership, OpeningHours, Store, TaxCategory
from restaurant_ops.services import membership_set_pin
from restaurant_ops.timeutils import business_date, business_day_bounds
from staffing import services as staffing
from staffing.models import Shift

from . import customers, story

User = get_user_model()
DELIVERY_DAYS = (0, 3)  # Monday and Thursday


# --- set-up -------------------------------------------------------------------------------------


def store_reset(*, slug: str) -> None:
    """Removes a previous demo store with everything in it. Protected references (an order line
    protects its menu item, a shift its position) decide the order: each app's rows are deleted
    once nothing protects them any more."""
    store = Store.objects.filter(slug=slug).first()
    if store is None:
        return
    pending = [
        model
        for model in apps.get_models()
        if any(
            field.is_relation and field.related_model is Store and field.name == "store"
            for field in model._meta.fields
        )
    ]
    with transaction.atomic():
        for _round in range(len(pending) + 1):
            for model in list(pending):
                try:
                    with transaction.atomic():
                        model.objects.filter(store=store).delete()
                    pending.remove(model)
                except ProtectedError:
                    continue
            if not pending:
                break
        store.delete()


def _store() -> Store:
    store = Store.objects.create(**story.STORE)
    for weekday, (opens, closes) in story.HOURS.items():
        OpeningHours.objects.create(
            store=store, weekday=weekday, opens=story.hm(opens), closes=story.hm(closes)
        )
    for name, starts, ends in story.DAYPARTS:
        Daypart.objects.create(store=store, name=name, starts=story.hm(starts), ends=story.hm(ends))
    return store


def _people(store: Store) -> dict[str, object]:
    users = {}
    for username, role in story.USERS:
        user = User.objects.filter(username=username).first() or User(username=username)
        user.set_password(story.PASSWORD)
        # Store roles only: the admin is for superusers created on purpose (`manage.py createsuperuser`).
        user.is_staff = user.is_superuser = False
        user.save()
        membership, _ = Membership.objects.update_or_create(user=user, store=store, defaults={"role": role})
        if role in ("owner", "manager"):
            membership_set_pin(membership=membership, pin=story.MANAGER_PIN)
        users[role] = user
    return users


def _menu(store: Store) -> dict[str, MenuItem]:
    taxes = {
        name: TaxCategory.objects.create(store=store, name=name, rate=rate)
        for name, rate in story.TAXES.items()
    }
    categories: dict[str, MenuCategory] = {}
    items = {}
    for position, (name, (category, tax, price, *_rest)) in enumerate(story.MENU.items()):
        if category not in categories:
            categories[category] = MenuCategory.objects.create(
                store=store,
                name=category,
                name_zh=story.CHINESE_NAMES.get(category, ""),
                position=len(categories),
            )
        items[name] = MenuItem.objects.create(
            store=store,
            category=categories[category],
            name=name,
            name_zh=story.CHINESE_NAMES.get(name, ""),
            price=price,
            tax_category=taxes[tax],
            position=position,
            external_id=f"demo-{position + 1:03d}",
        )
    for position, (group_name, (low, high, item_names, modifiers)) in enumerate(story.MODIFIERS.items()):
        group = ModifierGroup.objects.create(
            store=store,
            name=group_name,
            name_zh=story.CHINESE_NAMES.get(group_name, ""),
            min_choices=low,
            max_choices=high,
            position=position,
        )
        for m_position, (modifier_name, delta, _recipe) in enumerate(modifiers):
            Modifier.objects.create(
                group=group,
                name=modifier_name,
                name_zh=story.CHINESE_NAMES.get(modifier_name, ""),
                price_delta=delta,
                position=m_position,
            )
        for item_name in item_names:
            items[item_name].modifier_groups.add(group)
    for position, name in enumerate(story.TABLES):
        Table.objects.create(store=store, name=name, seats=4 if position % 3 else 2, position=position)
    return items


def _stock_setup(store: Store, items: dict[str, MenuItem], first_day: dt.date) -> dict[str, Ingredient]:
    suppliers = {
        name: inventory.supplier_create(
            store=store,
            name=name,
            email=email,
            lead_time_days=lead,
            min_order_value=minimum,
            contact_name="Sales desk",
        )
        for name, (email, lead, minimum) in story.SUPPLIERS.items()
    }
    ingredients = {}
    for name, (unit, allergens, tags, offers, preferred, _days) in story.INGREDIENTS.items():
        ingredient = inventory.ingredient_create(
            store=store,
            name=name,
            base_unit=unit,
            allergens=allergens,
            dietary_tags=tags,
            preferred_supplier=suppliers[preferred],
        )
        for supplier_name, pack, price in offers:
            offer = inventory.supplier_item_upsert(
                supplier=suppliers[supplier_name], ingredient=ingredient, pack_size=pack
            )
            inventory.supplier_price_add(supplier_item=offer, price=price, effective_from=first_day)
        ingredients[name] = ingredient
    for item_name, (*_head, recipe) in story.MENU.items():
        for ingredient_name, quantity, unit in recipe:
            inventory.recipe_line_set(
                store=store,
                ingredient=ingredients[ingredient_name],
                quantity=quantity,
                unit=unit,
                menu_item=items[item_name],
            )
    for _group, (_low, _high, _items, modifiers) in story.MODIFIERS.items():
        for modifier_name, _delta, recipe in modifiers:
            modifier = Modifier.objects.get(group__store=store, name=modifier_name)
            for ingredient_name, quantity, unit in recipe:
                inventory.recipe_line_set(
                    store=store,
                    ingredient=ingredients[ingredient_name],
                    quantity=quantity,
                    unit=unit,
                    modifier=modifier,
                )
    return ingredients


def _kitchen_setup(store: Store, items: dict[str, MenuItem]) -> None:
    stations = {
        name: kitchen.station_create(store=store, name=name, is_default=position == 0, position=position)
        for position, name in enumerate(story.STATIONS)
    }
    for item_name, (_category, _tax, _price, station, prep_ahead, *_rest) in story.MENU.items():
        kitchen.kitchen_item_set(menu_item=items[item_name], station=stations[station], prep_ahead=prep_ahead)


# --- sales ------------------------------------------------------------------------------------


def _local(store: Store, day: dt.date, hour: int, minute: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=store.tz)


def _open_hours(day: dt.date) -> list[int]:
    opens, closes = story.HOURS[day.weekday()]
    last = story.hm(closes).hour - (1 if story.hm(closes).minute == 0 else 0)
    return [h for h in story.HOUR_WEIGHTS if story.hm(opens).hour <= h <= last]


def _orders_per_day(rng: random.Random, day: dt.date) -> int:
    return round(story.ORDERS_PER_DAY[day.weekday()] * rng.uniform(*story.ORDER_JITTER))


def _order_times(
    store: Store, rng: random.Random, day: dt.date, total: int, until: dt.datetime | None = None
):
    """`total` order moments on one business day, following the hour pattern; those before `until`.
    Drawn at random by the weights, or (`story.ORDERS_SPREAD`) spread: each hour gets its share of the
    day's orders (largest remainder), the k-th of an hour's n orders at minute 60·k // n."""
    hours = _open_hours(day)
    weights = [story.HOUR_WEIGHTS[h] for h in hours]
    if story.ORDERS_SPREAD:
        shares = [Decimal(total * w) / sum(weights) for w in weights]
        counts = [int(share) for share in shares]
        by_remainder = sorted(range(len(hours)), key=lambda i: (-(shares[i] - counts[i]), i))
        for i in by_remainder[: total - sum(counts)]:
            counts[i] += 1
        slots = [(hour, 60 * k // n) for hour, n in zip(hours, counts, strict=True) for k in range(n)]
    else:
        slots = [(rng.choices(hours, weights)[0], rng.randrange(60)) for _ in range(total)]
    moments = [_local(store, day, hour, minute) for hour, minute in slots]
    return sorted(m for m in moments if until is None or m < until)


def _basket(rng: random.Random, names: list[str], weights: list[float]) -> dict[str, int]:
    basket: dict[str, int] = defaultdict(int)
    sizes, quantities = story.BASKET_SIZES, story.LINE_QUANTITIES
    for _ in range(rng.choices(list(sizes), list(sizes.values()))[0]):
        basket[rng.choices(names, weights)[0]] += rng.choices(list(quantities), list(quantities.values()))[0]
    return basket


def _history(
    store: Store,
    rng: random.Random,
    items: dict[str, MenuItem],
    first_day: dt.date,
    last_day: dt.date,
    now: dt.datetime,
) -> list[HistoryLine]:
    """Past orders. With `story.EQUAL_PERIOD_ORDERS` the margin analysis's current period gets as many
    orders as its previous period: in the story volume did not change, the drumstick cost did (without
    this, which weekdays fall in "the same days of last month" would move profit by a few percent on its
    own)."""
    days = [first_day + dt.timedelta(days=n) for n in range((last_day - first_day).days + 1)]
    counts = {day: _orders_per_day(rng, day) for day in days}
    (first0, last0), (first1, last1) = periods(store, now)
    previous = sum(n for day, n in counts.items() if first0 <= day <= last0)
    current_days = [day for day in days if first1 <= day <= last1]
    current = sum(counts[day] for day in current_days)
    if story.EQUAL_PERIOD_ORDERS and previous and current:
        for day in current_days:
            counts[day] = round(counts[day] * previous / current)
    names = list(story.MENU)
    weights = [story.MENU[n][5] for n in names]
    lines = []
    for day in days:
        for number, moment in enumerate(_order_times(store, rng, day, counts[day])):
            order_id = f"H{day:%Y%m%d}-{number:04d}"
            for name, quantity in _basket(rng, names, weights).items():
                lines.append(
                    HistoryLine(
                        order_id=order_id,
                        placed_at=moment,
                        item=items[name],
                        quantity=quantity,
                        unit_price=items[name].price,
                    )
                )
    return lines


def _today(
    store: Store, rng: random.Random, items: dict[str, MenuItem], now: dt.datetime, users
) -> list[Order]:
    """Today's orders so far, through the order service (stock, tickets, checks)."""
    today = business_date(store, now)
    names = list(story.MENU)
    weights = [story.MENU[n][5] * float(story.TODAY_BOOST.get(n, 1)) for n in names]
    tables = list(Table.objects.filter(store=store))
    placed = []
    till = _Drawers(store, now, users["cashier"])
    for number, moment in enumerate(_order_times(store, rng, today, _orders_per_day(rng, today), now)):
        till.handover_before(moment)
        basket = _basket(rng, names, weights)
        # A guest cannot order what has sold out: they pick from what is left.
        sold_out = set(
            MenuItem.objects.filter(store=store, sold_out_stock=True).values_list("name", flat=True)
        )
        basket = {name: quantity for name, quantity in basket.items() if name not in sold_out}
        if not basket:
            continue
        table = tables[number % len(tables)] if number % 3 else None
        order = orders.order_place(
            store=store,
            table=table,
            channel=Order.Channel.TILL if table is None else Order.Channel.QR,
            service_type=Order.ServiceType.DINE_IN if table else Order.ServiceType.TAKEAWAY,
            placed_by=users["cashier"],
            placed_at=moment,
            lines=[
                orders.LineRequest(item_id=items[name].pk, quantity=quantity)
                for name, quantity in basket.items()
            ],
        )
        placed.append(order)
        # Service catches up: an order placed more than 20 minutes ago has been cooked, served and paid.
        if moment < now - dt.timedelta(minutes=20):
            for ticket in Ticket.objects.filter(order=order):
                kitchen.ticket_start(ticket=ticket, by=users["cook"])
                kitchen.ticket_bump(ticket=ticket, by=users["cook"])
            orders.order_set_status(
                order=order, status=Order.Status.SERVED if table else Order.Status.COLLECTED
            )
            order.refresh_from_db()
            check = order.guest_check
            check.refresh_from_db()
            if check.balance > 0:
                method = rng.choice(["card", "mobile", "mobile", "cash"])
                orders.payment_take(
                    guest_check=check,
                    method=method,
                    amount=check.balance,
                    by=users["cashier"],
                    register=till.register,
                )
    till.handover_before(now)
    return placed


class _Drawers:
    """The front till's drawer today: opened with the float when the first order comes, counted out at
    the mid-day handover (halfway between opening and now, once the store has been open two hours: the
    Z report), and the next one open since (the X report). Drawers record when they were opened and
    closed by the clock, so the demo sets those moments to the handover's."""

    def __init__(self, store: Store, now: dt.datetime, cashier):
        self.store, self.cashier = store, cashier
        self.register = orders.register_create(store=store, name=story.REGISTER)
        opens = (
            store.opening_hours.filter(weekday=now.astimezone(store.tz).weekday()).order_by("opens").first()
        )
        start = (
            _local(store, business_date(store, now), opens.opens.hour, opens.opens.minute) if opens else now
        )
        self.opened_at = start
        self.handover = start + (now - start) / 2 if now - start >= dt.timedelta(hours=2) else None
        self.drawer = None

    def handover_before(self, moment: dt.datetime) -> None:
        if self.drawer is None:
            if moment < self.opened_at:
                return  # not open yet today: no drawer
            self.drawer = self._open(self.opened_at)
        if self.handover is not None and moment >= self.handover:
            expected = drawer_report(drawer=self.drawer)["cash"]["expected"]
            closed = orders.drawer_close(
                drawer=self.drawer, counted_cash=Decimal(expected) - Decimal("2.50"), by=self.cashier
            )  # a few coins short, as a real count often is
            closed.z_report["closed_at"] = self.handover.isoformat()
            CashDrawerSession.objects.filter(pk=closed.pk).update(
                closed_at=self.handover, z_report=closed.z_report
            )
            self.drawer, self.handover = self._open(self.handover), None

    def _open(self, at: dt.datetime):
        drawer = orders.drawer_open(register=self.register, opening_float=story.DRAWER_FLOAT, by=self.cashier)
        CashDrawerSession.objects.filter(pk=drawer.pk).update(opened_at=at)
        return drawer


def _usage_per_day(store: Store, history: list[HistoryLine], today: dt.date, days: int) -> dict[str, Decimal]:
    """Each ingredient's mean daily usage over the `days` whole days before today (closed days count)."""
    first = today - dt.timedelta(days=days)
    per_item: dict[str, int] = defaultdict(int)
    for line in history:
        if business_date(store, line.placed_at) >= first:
            per_item[line.item.name] += line.quantity
    usage: dict[str, Decimal] = defaultdict(Decimal)
    for item_name, quantity in per_item.items():
        for ingredient_name, amount, unit in story.MENU[item_name][6]:
            factor = Decimal(1000) if unit in ("kg", "l") else Decimal(1)
            usage[ingredient_name] += amount * factor * quantity / days
    return usage


def _price_rise(store: Store, history: list[HistoryLine], now: dt.datetime) -> tuple[dt.date, Decimal]:
    """When the drumstick price rose (the first delivery in the last days of last month) and to what:
    `PRICE_RISE["price"]` when the story sets it, else sized on the generated sales so that gross profit
    in the margin analysis's current period is the story's 7% below its previous period, whatever the
    weekday mix of the two periods."""
    (first0, last0), (first1, last1) = periods(store, now)
    rise_day = first1 - dt.timedelta(days=4)
    while rise_day.weekday() not in DELIVERY_DAYS:
        rise_day += dt.timedelta(days=1)
    rise_name = story.PRICE_RISE["ingredient"]
    if "price" in story.PRICE_RISE:
        return rise_day, story.PRICE_RISE["price"]
    old_costs = {name: _old_price(name) for name in story.INGREDIENTS}
    profit, affected = [Decimal(0), Decimal(0)], [Decimal(0), Decimal(0)]
    for line in history:
        day = business_date(store, line.placed_at)
        period = 0 if first0 <= day <= last0 else 1 if first1 <= day <= last1 else None
        if period is None:
            continue
        _category, tax, price, *_rest, recipe = story.MENU[line.item.name]
        cost = sum((quantity * old_costs[name] for name, quantity, _unit in recipe), Decimal(0))
        profit[period] += (price / (1 + story.TAXES[tax]) - cost) * line.quantity
        if day >= rise_day:
            affected[period] += (
                sum((q for name, q, _u in recipe if name == rise_name), Decimal(0)) * line.quantity
            )
    keep = 1 - story.PRICE_RISE["target_profit_drop"]
    old = old_costs[rise_name]
    denominator = affected[1] - keep * affected[0]
    rise = (profit[1] - keep * profit[0]) / denominator if denominator > 0 else Decimal(0)
    # A story needs a believable rise: between 10% and 120% of the old price.
    rise = min(max(rise, old * Decimal("0.1")), old * Decimal("1.2"))
    return rise_day, (old + rise).quantize(Decimal("0.0001"))


def _old_price(ingredient_name: str) -> Decimal:
    return story.INGREDIENTS[ingredient_name][3][0][2]


def _deliveries(
    store: Store,
    ingredients: dict[str, Ingredient],
    usage: dict[str, Decimal],
    first_day: dt.date,
    today: dt.date,
    rise: tuple[dt.date, Decimal],
    users,
) -> None:
    """Twice-weekly deliveries from each preferred supplier, received at the price then in force:
    these receipts are what food cost is measured from."""
    rise_day, new_price = rise
    rise_name, rise_supplier = story.PRICE_RISE["ingredient"], story.PRICE_RISE["supplier"]
    offer = ingredients[rise_name].supplier_items.get(supplier__name=rise_supplier)
    inventory.supplier_price_add(supplier_item=offer, price=new_price, effective_from=rise_day)
    by_supplier: dict[int, list[Ingredient]] = defaultdict(list)
    for ingredient in ingredients.values():
        by_supplier[ingredient.preferred_supplier_id].append(ingredient)
    day = first_day
    while day < today:
        if day.weekday() in DELIVERY_DAYS:
            for supplier_ingredients in by_supplier.values():
                supplier = supplier_ingredients[0].preferred_supplier
                cover_days = 3 if day.weekday() == 0 else 4
                lines = []
                for ingredient in supplier_ingredients:
                    price = (
                        new_price
                        if ingredient.name == rise_name and day >= rise_day
                        else _old_price(ingredient.name)
                    )
                    quantity = (usage[ingredient.name] * cover_days).to_integral_value(ROUND_CEILING)
                    lines.append(
                        {"ingredient": ingredient, "quantity": max(quantity, Decimal(1)), "unit_price": price}
                    )
                at = _local(store, day, 9, 0)
                with transaction.atomic():
                    po = inventory.purchase_order_create_draft(
                        store=store,
                        supplier=supplier,
                        lines=lines,
                        created_by=users["manager"],
                        expected_on=day,
                    )
                    PurchaseOrder.objects.filter(pk=po.pk).update(
                        created_at=at - dt.timedelta(days=supplier.lead_time_days)
                    )
                    po = inventory.purchase_order_send(purchase_order=po, by=users["manager"])
                    inventory.purchase_order_receive(
                        purchase_order=po,
                        by=users["manager"],
                        received_at=at,
                        lines=[
                            {
                                "ingredient": line["ingredient"].pk,
                                "quantity": line["quantity"],
                                "unit_price": line["unit_price"],
                            }
                            for line in lines
                        ],
                    )
        day += dt.timedelta(days=1)


def _opening_stock(
    store: Store, ingredients: dict[str, Ingredient], usage: dict[str, Decimal], at: dt.datetime, users
) -> None:
    """This morning's count: history imported without stock movements, so the shelf is counted."""
    inventory.stock_count_post(
        store=store,
        by=users["manager"],
        counted_at=at,
        note="Opening count",
        lines=[
            {
                "ingredient": ingredient,
                "counted": (usage[name] * story.INGREDIENTS[name][5]).quantize(Decimal("1")),
            }
            for name, ingredient in ingredients.items()
        ],
    )


def _staffing(store: Store, today: dt.date, users) -> None:
    positions = {
        name: staffing.position_create(
            store=store,
            name=name,
            load_kind=kind,
            productivity_target=target,
            min_staff_per_open_hour=minimum,
        )
        for name, (kind, target, minimum) in story.POSITIONS.items()
    }
    staff = []
    for name, position_names, cost in story.STAFF:
        login = story.STAFF_LOGINS.get(name)
        member = staffing.staff_member_create(
            store=store,
            name=name,
            hourly_cost=cost,
            positions=[positions[p] for p in position_names],
            user=users[login] if login else None,
        )
        for weekday in range(7):
            staffing.availability_add(staff=member, weekday=weekday, start=dt.time(9, 0), end=dt.time(1, 0))
        staff.append(member)
    monday = today - dt.timedelta(days=today.weekday())
    for week in (
        monday - dt.timedelta(days=14),
        monday - dt.timedelta(days=7),
        monday,
        monday + dt.timedelta(days=7),
    ):
        for offset in range(7):
            day = week + dt.timedelta(days=offset)
            busy: dict[int, list[tuple[dt.datetime, dt.datetime]]] = defaultdict(list)
            opens, closes = (story.hm(t) for t in story.HOURS[day.weekday()])
            for position_name, start, end in story.ROTA:
                start_time = story.hm(start)
                end_time = (
                    story.hm(end) if end != "close" else dt.time((closes.hour + (closes.minute > 0)) % 24)
                )
                start_at = _local(store, day, start_time.hour, start_time.minute)
                end_day = day + dt.timedelta(days=1) if end_time <= start_time else day
                end_at = _local(store, end_day, end_time.hour, end_time.minute)
                person = next(
                    (
                        m
                        for m in staff
                        if positions[position_name] in m.positions.all()
                        and not any(s < end_at and start_at < e for s, e in busy[m.pk])
                        and _works(m, day, staff)
                    ),
                    None,
                )
                if person is None:
                    continue  # everyone who could is off that day: a real gap in the rota
                busy[person.pk].append((start_at, end_at))
                outside = start_time < opens or end_time > closes or end_time < start_time
                staffing.shift_create(
                    store=store,
                    staff=person,
                    position=positions[position_name],
                    start=start_at,
                    end=end_at,
                    reason="Set-up and close-down" if outside else "",
                    by=users["manager"],
                )
        staffing.week_publish(store=store, week_start=week, by=users["manager"])


def _works(member, day: dt.date, staff) -> bool:
    """Each person has one fixed day off a week, spread over the team."""
    return day.weekday() != staff.index(member) % 7


def _time_clock(store: Store, now: dt.datetime) -> None:
    """Past shifts of this week were worked, give or take a few minutes."""
    rng = random.Random(story.SEED + 1)
    today = business_date(store, now)
    monday = today - dt.timedelta(days=today.weekday())
    for shift in Shift.objects.filter(
        store=store, start__gte=_local(store, monday, 0, 0), end__lte=now
    ).order_by("start"):
        staffing.clock_in(
            staff=shift.staff,
            at=shift.start + dt.timedelta(minutes=rng.randint(-6, 4)),
            position=shift.position,
        )
        staffing.clock_out(staff=shift.staff, at=shift.end + dt.timedelta(minutes=rng.randint(-3, 12)))


@transaction.atomic  # one commit: much faster on SQLite, and a failed load leaves the old demo in place
def load(*, now: dt.datetime, log=print) -> Store:
    """Builds the demo store as of `now` (aware) and returns it."""
    rng = random.Random(story.SEED)
    store_reset(slug=story.STORE["slug"])
    with transaction.atomic():
        store = _store()
        users = _people(store)
        items = _menu(store)
        today = business_date(store, now)
        first_day = today - dt.timedelta(days=story.HISTORY_DAYS)
        ingredients = _stock_setup(store, items, first_day - dt.timedelta(days=7))
        _kitchen_setup(store, items)
        ClosedDate.objects.create(store=store, date=first_day + dt.timedelta(days=12), reason="Staff outing")
    log(f"Store, menu, recipes, suppliers: done ({len(items)} items, {len(ingredients)} ingredients)")

    closed = set(ClosedDate.objects.filter(store=store).values_list("date", flat=True))
    history = [
        line
        for line in _history(store, rng, items, first_day, today - dt.timedelta(days=1), now)
        if business_date(store, line.placed_at) not in closed
    ]
    summary = history_write(store=store, lines=history)
    log(f"History: {summary}")

    usage = _usage_per_day(store, history, today, story.USAGE_DAYS)
    rise = _price_rise(store, history, now)
    _deliveries(store, ingredients, usage, first_day, today, rise, users)
    log(
        f"Deliveries and prices: done (drumstick price from {_old_price(story.PRICE_RISE['ingredient'])} "
        f"to {rise[1]} per g on {rise[0]})"
    )
    _opening_stock(store, ingredients, usage, business_day_bounds(store, today)[0], users)
    _staffing(store, today, users)
    _time_clock(store, now)
    log("Staff, schedule and time clock: done")
    placed = _today(store, rng, items, now, users)
    log(f"Today so far: {len(placed)} orders through the order service")
    customers.load(store=store, now=now, log=log)
    return store
