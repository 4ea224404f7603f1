"""Drives a pyicloud checkout (SIGWIRE_PYICLOUD_SRC on PYTHONPATH), unmodified, through the bridge sign-in.

Arguments: authUrl setupUrl emulatorUrl appleId password [code]. Without a code, the code the emulated
trusted device shows is read from GET /_emulator/icloud/bridge-code. One JSON line per step.
"""
import json
import sys
import tempfile

import requests
from pyicloud import PyiCloudService

auth_url, setup_url, base_url, apple_id, password = sys.argv[1:6]
service = PyiCloudService(apple_id, password, cookie_directory=tempfile.mkdtemp(), authenticate=False)
# pyicloud has no endpoint option: its attributes are pointed at the emulator before signing in.
service._idmsa_endpoint = auth_url.rsplit("/appleauth/auth", 1)[0]
service._auth_endpoint = auth_url
service._setup_endpoint = setup_url
service.authenticate()
print(json.dumps({"step": "signin", "requires_2fa": service.requires_2fa,
                  "delivery": service.two_factor_delivery_method}), flush=True)
started = service.request_2fa_code()
print(json.dumps({"step": "request", "started": started,
                  "delivery": service.two_factor_delivery_method}), flush=True)
shown = requests.get(f"{base_url}/_emulator/icloud/bridge-code", params={"appleId": apple_id}, timeout=10).json()
code = sys.argv[6] if len(sys.argv) > 6 else shown["code"]
ok = service.validate_2fa_code(code)
print(json.dumps({"step": "validate", "ok": ok, "trusted": service.is_trusted_session,
                  "requires_2fa": service.requires_2fa}), flush=True)
