"""Runs Debian's python3-pyicloud (pyicloud 1.0.0, unmodified) against the sigwire iCloud emulator's
Find My, Reminders and account-page services. pyicloud 1.0.0 has no Hide My Email service, and
its account storage call goes to the fixed host setup.icloud.com, so it is not run.

Hosts are pointed at the emulator through pyicloud's class attributes; the sign-in is the retired
password sign-in, so the emulator runs with legacyAuth. Prints one JSON object per step.
Usage: pyicloud-debian-services.py AUTH_URL SETUP_URL APPLE_ID PASSWORD CODE COOKIE_DIR
"""
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
if api.requires_2fa:
    api.validate_2fa_code(code)

devices = api.devices
names = [devices[key]["name"] for key in devices.keys()]
phone = devices[0]
report(
    "devices",
    names=names,
    battery=phone.status()["batteryLevel"],
    latitude=phone.location()["latitude"],
)
phone.play_sound()
phone.display_message(subject="Hi", message="Hello from pyicloud", sounds=True)
phone.lost_device("+1 408 555 0100", "Lost, please call")
report("lost", lostModeEnabled=phone.status(["lostModeEnabled"])["lostModeEnabled"])

reminders = api.reminders
report("lists", titles=sorted(reminders.lists.keys()))
ok = reminders.post("From pyicloud", "made by pyicloud 1.0.0", "Groceries", datetime.datetime(2027, 2, 3, 4, 5))
plain = reminders.post("Default list")
reminders.refresh()
report(
    "created",
    ok=ok and plain,
    groceries=[r["title"] for r in reminders.lists["Groceries"]],
    due=[str(r["due"]) for r in reminders.lists["Groceries"] if r["title"] == "From pyicloud"],
    default=[r["title"] for r in reminders.lists["Reminders"]],
)

account = api.account
report(
    "account",
    devices=[d.name for d in account.devices],
    family=[m.first_name for m in account.family],
    organizer=account.family[0].has_parental_privileges,
)
