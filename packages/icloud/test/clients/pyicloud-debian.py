"""Runs Debian's python3-pyicloud (pyicloud 1.0.0, unmodified) against the sigwire iCloud emulator.

pyicloud 1.0.0 keeps its hosts in class attributes; pointing them at the emulator is the only setting.
It signs in with the retired password sign-in, so the emulator runs with legacyAuth. Prints one JSON
object per step. Usage: pyicloud-debian.py AUTH_URL SETUP_URL APPLE_ID PASSWORD CODE COOKIE_DIR
"""
import calendar
import datetime
import json
import sys

from pyicloud import PyiCloudService

auth_url, setup_url, apple_id, password, code, cookies = sys.argv[1:7]
PyiCloudService.AUTH_ENDPOINT = auth_url
PyiCloudService.SETUP_ENDPOINT = setup_url


def report(step, **values):
    print(json.dumps({"step": step, **values}), flush=True)


api = PyiCloudService(apple_id, password, cookie_directory=cookies)
report("signin", requires_2fa=api.requires_2fa)
report("code", valid=api.validate_2fa_code(code), trusted=api.is_trusted_session)
contacts = api.contacts.all()
report("contacts", count=len(contacts), first=contacts[0].get("firstName"))
today = datetime.date.today()
start = datetime.datetime(today.year, today.month, 1)
end = start + datetime.timedelta(days=40)
events = api.calendar.events(start, end)
detail = api.calendar.get_event_detail(events[0]["pGuid"], events[0]["guid"])
report("events", titles=[e["title"] for e in events], detail=detail["title"])
# calendars() computes its range with monthrange()'s weekday as a day: it raises on months that start
# on a Monday (a pyicloud 1.0.0 bug), so it is called only when it can work.
if calendar.monthrange(today.year, today.month)[0] != 0:
    report("calendars", titles=[c["title"] for c in api.calendar.calendars()])
again = PyiCloudService(apple_id, password, cookie_directory=cookies)
report("resume", requires_2fa=again.requires_2fa, trusted=again.is_trusted_session)
