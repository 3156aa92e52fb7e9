"""The test suite's settings: duban.settings with a throwaway key and plain HTTP.

Production refuses to start without SECRET_KEY (DEBUG off) and redirects to HTTPS; the tests run with
DEBUG off like production, so they give a key and HTTP here. Tests of the HTTPS settings override them.
"""
import os

# The hostile-input walks send thousands of API requests as one user; tests/api/test_lists.py lowers the
# rates itself to see the 429.
os.environ["DUBAN_API_RATE"] = os.environ["DUBAN_API_ANON_RATE"] = "1000000/hour"

os.environ["SECRET_KEY"] = "tests-only-key-" + "x" * 50
os.environ["DUBAN_HTTPS"] = "0"
os.environ.setdefault("DUBAN_PAGINATE_WITH_LIBREOFFICE", "0")  # the render tests turn it on

from duban.settings import *  # noqa: E402,F401,F403

# Deliveries in the tests happen at whatever hour the suite runs; quiet hours are tested on their own
# (tests/notify/test_quiet_hours.py turns them on with a fake clock).
DUBAN_WORKING_HOURS = ""

# The webhook tests post to a receiver on 127.0.0.1 (tests/notify/test_events.py checks the refusal itself).
DUBAN_WEBHOOK_ALLOW_PRIVATE = True
