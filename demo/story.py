"""The demo restaurant of PRODUCT.md's story, as data: a small Chinese-style fast-casual bistro whose
fried drumsticks sell best, run low, are prepped ahead of the dinner rush, and got more expensive
last month. Only this package knows the dish names; the product code never does."""

import datetime as dt
from decimal import Decimal as D

STORE = {
    "name": "Demo Bistro",
    "slug": "demo",
    "time_zone": "Asia/Shanghai",
    "currency": "CNY",
    "prices_include_tax": True,
}
TAXES = {"Food": D("0.06"), "Drinks": D("0.13")}
# weekday -> (opens, closes); Friday and Saturday run late.
HOURS = {
    0: ("10:00", "22:00"),
    1: ("10:00", "22:00"),
    2: ("10:00", "22:00"),
    3: ("10:00", "22:00"),
    4: ("10:00", "23:30"),
    5: ("10:00", "23:30"),
    6: ("10:00", "21:30"),
}
DAYPARTS = [
    ("lunch", "10:00", "14:00"),
    ("afternoon", "14:00", "17:00"),
    ("dinner", "17:00", "21:00"),
    ("late", "21:00", "04:00"),
]
USERS = [("owner", "owner"), ("manager", "manager"), ("cashier", "cashier"), ("cook", "cook")]
PASSWORD = "demo-pass-123"  # noqa: S105 - the demo's published login
MANAGER_PIN = "246810"  # 6 to 8 digits; the demo owner and manager share it

# Suppliers: (name, e-mail, lead time days, minimum order value)
SUPPLIERS = {
    "Fresh Poultry Co.": ("orders@freshpoultry.example", 2, D("200")),
    "Golden Farm Poultry": ("sales@goldenfarm.example", 3, D("300")),
    "City Wholesale": ("orders@citywholesale.example", 1, D("100")),
}
# Ingredients: name -> (base unit, allergens, tags, [(supplier, pack size in base units, price per base
# unit)], preferred supplier, on hand at the start of today in days of usage)
INGREDIENTS = {
    "Chicken drumsticks": (
        "g",
        [],
        ["gluten_free"],
        [("Fresh Poultry Co.", D("5000"), D("0.028")), ("Golden Farm Poultry", D("10000"), D("0.0305"))],
        "Fresh Poultry Co.",
        D("1.8"),
    ),
    "Chicken breast": (
        "g",
        [],
        ["gluten_free"],
        [("Fresh Poultry Co.", D("5000"), D("0.032")), ("Golden Farm Poultry", D("10000"), D("0.034"))],
        "Fresh Poultry Co.",
        D("6"),
    ),
    "Burger buns": (
        "pcs",
        ["gluten"],
        ["vegetarian"],
        [("City Wholesale", D("24"), D("1.20"))],
        "City Wholesale",
        D("6"),
    ),
    "Lettuce": (
        "g",
        [],
        ["vegan", "vegetarian", "gluten_free"],
        [("City Wholesale", D("1000"), D("0.012"))],
        "City Wholesale",
        D("4"),
    ),
    "Beef shank": (
        "g",
        [],
        ["gluten_free"],
        [("City Wholesale", D("2000"), D("0.085"))],
        "City Wholesale",
        D("6"),
    ),
    "Wheat noodles": (
        "g",
        ["gluten"],
        ["vegan", "vegetarian"],
        [("City Wholesale", D("5000"), D("0.008"))],
        "City Wholesale",
        D("8"),
    ),
    "Rice": (
        "g",
        [],
        ["vegan", "vegetarian", "gluten_free"],
        [("City Wholesale", D("10000"), D("0.005"))],
        "City Wholesale",
        D("10"),
    ),
    "Eggs": (
        "pcs",
        ["egg"],
        ["vegetarian", "gluten_free"],
        [("City Wholesale", D("30"), D("0.90"))],
        "City Wholesale",
        D("6"),
    ),
    "Flour": (
        "g",
        ["gluten"],
        ["vegan", "vegetarian"],
        [("City Wholesale", D("10000"), D("0.004"))],
        "City Wholesale",
        D("12"),
    ),
    "Cooking oil": (
        "ml",
        [],
        ["vegan", "vegetarian", "gluten_free"],
        [("City Wholesale", D("5000"), D("0.012"))],
        "City Wholesale",
        D("9"),
    ),
    "Spring roll wrappers": (
        "pcs",
        ["gluten"],
        ["vegan", "vegetarian"],
        [("City Wholesale", D("50"), D("0.30"))],
        "City Wholesale",
        D("7"),
    ),
    "Cabbage": (
        "g",
        [],
        ["vegan", "vegetarian", "gluten_free"],
        [("City Wholesale", D("5000"), D("0.006"))],
        "City Wholesale",
        D("5"),
    ),
    "Cucumber": (
        "g",
        [],
        ["vegan", "vegetarian", "gluten_free"],
        [("City Wholesale", D("5000"), D("0.010"))],
        "City Wholesale",
        D("5"),
    ),
    "Lemon tea": (
        "ml",
        [],
        ["vegan", "vegetarian", "gluten_free"],
        [("City Wholesale", D("10000"), D("0.008"))],
        "City Wholesale",
        D("9"),
    ),
    "Cola cans": (
        "pcs",
        [],
        ["vegan", "vegetarian", "gluten_free"],
        [("City Wholesale", D("24"), D("2.20"))],
        "City Wholesale",
        D("10"),
    ),
    "Beer bottles": (
        "pcs",
        ["gluten"],
        ["vegan", "vegetarian"],
        [("City Wholesale", D("24"), D("4.50"))],
        "City Wholesale",
        D("10"),
    ),
    "Cheese slices": (
        "g",
        ["milk"],
        ["vegetarian", "gluten_free"],
        [("City Wholesale", D("1000"), D("0.060"))],
        "City Wholesale",
        D("8"),
    ),
}
# The story's price rise: the preferred poultry supplier's drumstick price, last month, sized by the
# loader so that gross profit falls by the target (a story may instead fix the new "price" per base unit).
PRICE_RISE = {
    "ingredient": "Chicken drumsticks",
    "supplier": "Fresh Poultry Co.",
    "target_profit_drop": D("0.07"),
}

STATIONS = ["Fryer", "Grill", "Wok", "Cold", "Drinks"]
# Menu: name -> (category, tax, price, station, prep ahead, popularity weight,
#                recipe [(ingredient, qty, unit)])
MENU = {
    "Fried drumsticks": (
        "Snacks",
        "Food",
        D("22.00"),
        "Fryer",
        True,
        30,
        [("Chicken drumsticks", D("300"), "g"), ("Cooking oil", D("40"), "ml"), ("Flour", D("30"), "g")],
    ),
    "Crispy chicken burger": (
        "Mains",
        "Food",
        D("32.00"),
        "Grill",
        False,
        18,
        [
            ("Chicken breast", D("150"), "g"),
            ("Burger buns", D("1"), "pcs"),
            ("Lettuce", D("20"), "g"),
            ("Flour", D("20"), "g"),
            ("Cooking oil", D("20"), "ml"),
        ],
    ),
    "Beef noodle soup": (
        "Mains",
        "Food",
        D("38.00"),
        "Wok",
        False,
        16,
        [("Beef shank", D("120"), "g"), ("Wheat noodles", D("180"), "g")],
    ),
    "Egg fried rice": (
        "Mains",
        "Food",
        D("26.00"),
        "Wok",
        False,
        14,
        [("Rice", D("200"), "g"), ("Eggs", D("2"), "pcs"), ("Cooking oil", D("15"), "ml")],
    ),
    "Spring rolls": (
        "Snacks",
        "Food",
        D("18.00"),
        "Fryer",
        True,
        12,
        [("Spring roll wrappers", D("4"), "pcs"), ("Cabbage", D("80"), "g"), ("Cooking oil", D("30"), "ml")],
    ),
    "Smashed cucumber salad": (
        "Cold dishes",
        "Food",
        D("14.00"),
        "Cold",
        False,
        10,
        [("Cucumber", D("200"), "g")],
    ),
    "Iced lemon tea": ("Drinks", "Drinks", D("12.00"), "Drinks", False, 20, [("Lemon tea", D("350"), "ml")]),
    "Cola": ("Drinks", "Drinks", D("8.00"), "Drinks", False, 14, [("Cola cans", D("1"), "pcs")]),
    "Tsingtao beer": ("Drinks", "Drinks", D("15.00"), "Drinks", False, 10, [("Beer bottles", D("1"), "pcs")]),
}
MODIFIERS = {
    # group -> (min, max, items it applies to, [(modifier, price delta, recipe)])
    "Spice level": (
        0,
        1,
        ["Fried drumsticks", "Beef noodle soup"],
        [("Mild", D("0"), []), ("Hot", D("0"), [])],
    ),
    "Extras": (
        0,
        2,
        ["Crispy chicken burger"],
        [
            ("Extra cheese", D("4.00"), [("Cheese slices", D("20"), "g")]),
            ("Extra patty", D("9.00"), [("Chicken breast", D("150"), "g")]),
        ],
    ),
}
# The menu's Chinese names (categories, items, modifier groups and modifiers), shown to guests and
# staff who read Chinese.
CHINESE_NAMES = {
    "Snacks": "小吃",
    "Mains": "主食",
    "Cold dishes": "凉菜",
    "Drinks": "饮品",
    "Fried drumsticks": "炸鸡腿",
    "Crispy chicken burger": "香脆鸡腿堡",
    "Beef noodle soup": "牛肉面",
    "Egg fried rice": "蛋炒饭",
    "Spring rolls": "春卷",
    "Smashed cucumber salad": "拍黄瓜",
    "Iced lemon tea": "冰柠檬茶",
    "Cola": "可乐",
    "Tsingtao beer": "青岛啤酒",
    "Spice level": "辣度",
    "Mild": "微辣",
    "Hot": "特辣",
    "Extras": "加料",
    "Extra cheese": "加芝士",
    "Extra patty": "加鸡排",
}
# Today the drumsticks sell faster than usual (the trend the best-seller analysis should catch).
TODAY_BOOST = {"Fried drumsticks": D("1.8")}

# Orders per business day by weekday, and the share of a day's orders in each clock hour.
# Flat enough that "the same days of last month" compare like with like, busier at the weekend.
ORDERS_PER_DAY = {0: 150, 1: 150, 2: 155, 3: 160, 4: 180, 5: 185, 6: 165}
HOUR_WEIGHTS = {
    10: 3,
    11: 10,
    12: 18,
    13: 12,
    14: 5,
    15: 3,
    16: 4,
    17: 10,
    18: 19,
    19: 17,
    20: 10,
    21: 5,
    22: 3,
    23: 2,
}
HISTORY_DAYS = 90
SEED = 20261127
# How the history is drawn: each day's order count within ±3% of the weekday's, hours drawn by the
# weights (ORDERS_SPREAD = True spreads them exactly instead), baskets of 1–4 picks of 1 or 2 portions.
ORDER_JITTER = (0.97, 1.03)
ORDERS_SPREAD = False
BASKET_SIZES = {1: 30, 2: 40, 3: 20, 4: 10}
LINE_QUANTITIES = {1: 85, 2: 15}
# The margin's current period gets as many orders as its previous one (see loader._history).
EQUAL_PERIOD_ORDERS = True
# Deliveries and the opening count are sized on the mean daily usage of the last 4 weeks.
USAGE_DAYS = 28

TABLES = [f"T{n}" for n in range(1, 13)]

# Staffing: positions (load kind, productivity per hour, minimum per open hour) and people.
POSITIONS = {
    "Cashier": ("orders", D("26"), 1),
    "Cook": ("kitchen_items", D("35"), 1),
    "Server": ("orders", D("26"), 1),
}
STAFF = [
    ("Li Na", ["Cashier"], D("45")),
    ("Wang Wei", ["Cashier"], D("28")),
    ("Zhang Min", ["Cashier", "Server"], D("27")),
    ("Zhou Hui", ["Server", "Cashier"], D("26")),
    ("Guo Jing", ["Server", "Cashier"], D("26")),
    ("Sun Li", ["Server"], D("26")),
    ("Chen Jie", ["Cook"], D("32")),
    ("Liu Yang", ["Cook"], D("31")),
    ("Zhao Lei", ["Cook"], D("30")),
    ("Wu Gang", ["Cook"], D("30")),
    ("Huang Bo", ["Cook"], D("29")),
]
# The demo logins that are also on the team: My shifts and the time clock show their own shifts.
STAFF_LOGINS = {"Li Na": "manager", "Wang Wei": "cashier", "Chen Jie": "cook"}
# The front till's cash drawer: counted out at the mid-day handover (a Z report) and open since (the X
# report), with this float each time.
REGISTER = "Front till"
DRAWER_FLOAT = D("500.00")
# Each day's rota: (position, start, end) in local time, "close" meaning until the end of the hour in
# which that day closes (the last orders are served and the tills counted). It
# covers every open hour and the weekday peaks; the Friday and Saturday dinner rush is one cashier and
# one server short, which is what the staffing analysis should find.
ROTA = [
    ("Cashier", "09:45", "16:00"),
    ("Cashier", "15:45", "close"),
    ("Cook", "09:30", "16:00"),
    ("Cook", "15:30", "close"),
    ("Cook", "11:30", "14:30"),
    ("Cook", "18:00", "21:00"),
    ("Server", "10:00", "16:00"),
    ("Server", "16:00", "close"),
]


def hm(text: str) -> dt.time:
    hour, minute = text.split(":")
    return dt.time(int(hour), int(minute))


# --- Customers (issue "Customers and feedback") ---------------------------------------------------
# Opted-in guests and their visit patterns over the last year: (how many, days between visits, days
# since the last visit (low, high), spend per visit (low, high)). "stopped last month" came every week
# until the month before last: the store's churn rate for last month rises above its band. They are
# 40 so that the rise stands out whatever the day the demo is built on: the win-back rule's quiet
# regulars (below) lapse over the half year and widen the band of the 6 months before.
CUSTOMER_GROUPS = {
    "regular": (40, 9, (0, 8), (70, 160)),
    "big spender": (6, 5, (0, 5), (260, 420)),
    "slipping": (16, 7, (18, 26), (90, 180)),
    "stopped last month": (40, 7, None, (80, 150)),
    "long gone": (16, 12, (120, 330), (60, 120)),
    "first visit": (12, None, (1, 25), (50, 140)),
}
CUSTOMER_NAMES = [
    "Chen Jing",
    "Liu Yang",
    "Zhao Lei",
    "Huang Ting",
    "Zhou Hui",
    "Wu Qiang",
    "Xu Li",
    "Sun Tao",
    "Ma Lin",
    "Zhu Yan",
    "Hu Bo",
    "Guo Mei",
    "He Jun",
    "Lin Xue",
    "Gao Feng",
    "Luo Xin",
]
MARKETING_SHARE = 0.6
# The weekend rush of the last week: slow-service ratings on the Friday/Saturday 18:00–20:00 checks,
# tickets 13–18 minutes against the stations' 10, and the plan needed one cook more than the rota had.
RUSH_HOURS = (18, 19)
RUSH_TICKET_MINUTES = (13, 18)
RUSH_SLOW_RATINGS = 7
RUSH_COOKS_NEEDED = 3
# Before that: about one slow-service complaint a week, and a few others.
BASELINE_COMPLAINTS = [("slow", 1), ("slow", 8), ("cold", 10), ("slow", 16), ("price", 19), ("slow", 24)]

# --- Triggered messages (issue #23) -----------------------------------------------------------------
# A win-back rule that has run for half a year: regulars who went quiet were messaged a 15% coupon
# (valid 14 days) when they turned at risk, a quarter held out. Of the messaged, about 45% came back
# within 30 days (70% of those back within the coupon's 14 days used it); of the held out, about 20%:
# the rule's page shows the effect with its interval. Sends are spread over days 35–200 before today,
# so the 30-day windows are complete and no single month's churn moves much.
WIN_BACK = {
    "name": "Win back",
    "templates": {
        "en": "{name}, we miss you at Demo Bistro! Show {code} for 15% off within 14 days.",
        "zh-hans": "{name}，好久不见！出示 {code} 可享 15% 优惠，14 天内有效。",
    },
    "holdout_share": "0.250",
    "coupon_value": "15",
    "coupon_valid_days": 14,
}
WIN_BACK_MIN_PER_ARM = 34
WIN_BACK_RETURN = {"messaged": 0.45, "held_out": 0.2}
WIN_BACK_REDEEM = 0.7
WIN_BACK_SENT_DAYS_AGO = (35, 200)
WIN_BACK_SPEND = (80, 160)
