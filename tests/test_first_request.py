"""The first request after the server starts is as fast as the rest: the ZIP table is read
when the WSGI application loads, not on the first join."""

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

PROBE = """
import time
import config.wsgi  # what gunicorn and runserver load
from groundswell.people.places import place_postcode
started = time.perf_counter()
place_postcode("10001")
print(time.perf_counter() - started)
"""


def test_the_first_postcode_lookup_after_start_up_waits_for_nothing():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=REPO, env=env, capture_output=True, text=True, check=True
    )
    seconds = float(done.stdout.strip().splitlines()[-1])
    assert seconds < 0.05, f"the first lookup took {seconds:.3f} s"  # reading the table: ~0.7 s
