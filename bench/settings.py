"""Settings for the benchmarks: the product's settings with DEBUG off (no query log, as in
production) and a URL module that adds the bare baselines. Nothing here changes how the product runs."""

import os

from restaurant_ops.settings import *  # noqa: F403
from restaurant_ops.settings import LOGGING

DEBUG = False
ROOT_URLCONF = "bench.urls"
LOGGING = {**LOGGING, "root": {"handlers": ["console"], "level": "WARNING"}}

# The benchmark's server marks its database connections, so a "cold" request can drop exactly those.
if os.environ.get("BENCH_SERVER"):
    DATABASES["default"].setdefault("OPTIONS", {})["application_name"] = "bench-server"  # noqa: F405
