"""The raw SQL each measured operation needs, run beside it in the same process and database. These
strings are printed verbatim in BENCHMARKS.md. Parameters: store, first, last (business days,
inclusive), tz (the store's zone), drawer."""

COUNTED = (
    "o.store_id = %(store)s AND o.business_date BETWEEN %(first)s AND %(last)s AND o.status <> 'cancelled'"
)

ITEM_TOTALS = f"""
SELECT l.menu_item_id, mi.name, mi.category_id, c.name, SUM(l.quantity), SUM(l.net_amount)
FROM orders_orderline l
JOIN orders_order o ON o.id = l.order_id
JOIN orders_menuitem mi ON mi.id = l.menu_item_id
JOIN orders_menucategory c ON c.id = mi.category_id
WHERE {COUNTED} AND l.voided_at IS NULL
GROUP BY 1, 2, 3, 4"""

ITEM_DAY_TOTALS = f"""
SELECT l.menu_item_id, o.business_date, SUM(l.quantity), SUM(l.net_amount)
FROM orders_orderline l JOIN orders_order o ON o.id = l.order_id
WHERE {COUNTED} AND l.voided_at IS NULL
GROUP BY 1, 2"""

BUSY_CELLS = f"""
SELECT EXTRACT(ISODOW FROM o.business_date), EXTRACT(HOUR FROM o.placed_at AT TIME ZONE %(tz)s), COUNT(*)
FROM orders_order o WHERE {COUNTED}
GROUP BY 1, 2 ORDER BY 1, 2"""

TRADING_DAYS = f"""
SELECT EXTRACT(ISODOW FROM o.business_date), COUNT(DISTINCT o.business_date)
FROM orders_order o WHERE {COUNTED}
GROUP BY 1"""

ORDERS_PER_DAY = f"""
SELECT o.business_date, COUNT(*) FROM orders_order o WHERE {COUNTED} GROUP BY 1"""

REVENUE_PER_DAY = f"""
SELECT o.business_date, SUM(l.net_amount), SUM(l.quantity)
FROM orders_orderline l JOIN orders_order o ON o.id = l.order_id
WHERE {COUNTED} AND l.voided_at IS NULL
GROUP BY 1"""

ITEM_CELLS = f"""
SELECT l.menu_item_id, o.business_date, EXTRACT(HOUR FROM o.placed_at AT TIME ZONE %(tz)s), SUM(l.quantity)
FROM orders_orderline l JOIN orders_order o ON o.id = l.order_id
WHERE {COUNTED} AND l.voided_at IS NULL
GROUP BY 1, 2, 3"""

ORDER_CELLS = f"""
SELECT o.business_date, EXTRACT(HOUR FROM o.placed_at AT TIME ZONE %(tz)s), COUNT(*)
FROM orders_order o WHERE {COUNTED}
GROUP BY 1, 2"""

# What each analysis needs from the database, at the least.
ANALYSES = {
    "best_sellers": [ITEM_TOTALS, ITEM_DAY_TOTALS],
    "menu_engineering": [ITEM_TOTALS],
    "busy_hours": [BUSY_CELLS, TRADING_DAYS],
    "sales_by_day": [ORDERS_PER_DAY, REVENUE_PER_DAY],
    "forecast": [ITEM_CELLS, ORDER_CELLS],
}

Z_PAYMENTS = """
SELECT method, COUNT(*) FILTER (WHERE kind = 'payment'), SUM(amount) FILTER (WHERE kind = 'payment'),
       SUM(tip), COUNT(*) FILTER (WHERE kind = 'refund'), SUM(amount) FILTER (WHERE kind = 'refund'),
       SUM(amount)
FROM orders_payment WHERE drawer_session_id = %(drawer)s GROUP BY method"""

Z_CASH = """
SELECT SUM(amount + tip) FROM orders_payment WHERE drawer_session_id = %(drawer)s AND method = 'cash'"""

Z_CHECKS = """
SELECT COUNT(*), SUM(subtotal), SUM(discount_total), SUM(net_sales), SUM(tax), SUM(service_charge),
       SUM(total), SUM(tip_total)
FROM orders_check WHERE drawer_session_id = %(drawer)s"""

Z_ADJUSTMENTS = """
SELECT a.kind, COUNT(*), SUM(l.line_total)
FROM orders_checkadjustment a JOIN orders_check c ON c.id = a.guest_check_id
LEFT JOIN orders_orderline l ON l.id = a.line_id
WHERE c.drawer_session_id = %(drawer)s GROUP BY a.kind"""

Z_VOIDS = """
SELECT COUNT(*), SUM(l.quantity), SUM(l.line_total)
FROM orders_orderline l JOIN orders_check c ON c.id = l.guest_check_id
JOIN orders_order o ON o.id = l.order_id
WHERE c.drawer_session_id = %(drawer)s AND (l.voided_at IS NOT NULL OR o.status = 'cancelled')"""

Z_CLOSE = """
UPDATE orders_check SET status = 'closed', closed_at = now(), updated_at = now()
WHERE drawer_session_id = %(drawer)s AND status = 'paid'"""

Z_REPORT = [Z_PAYMENTS, Z_CASH, Z_CHECKS, Z_ADJUSTMENTS, Z_VOIDS]
Z_CLOSE_ALL = [*Z_REPORT, Z_CLOSE]

IMPORT_BARE_TABLE = """
CREATE TABLE IF NOT EXISTS bench_import_bare (order_id text, timestamp text, item text, quantity text,
                                              unit_price text)"""
IMPORT_COPY = "COPY bench_import_bare FROM STDIN WITH (FORMAT csv, HEADER true)"
