"""The benchmark's pyicloud side: downloads a Drive folder tree with pyicloud, as its README shows
(`node.open(stream=True)`, then `shutil.copyfileobj(response.raw, file)`), one file after another.

Usage: python3 pyicloud_tree.py '<json>' with authUrl, setupUrl, appleId, password, cookieDir, the
Drive folder (a name in the root) and the local directory `out`. Signs in first (not timed), then
prints one JSON line with the seconds the walk and the downloads took, the files and the bytes.
"""

import json
import os
import shutil
import sys
import time

from pyicloud import PyiCloudService

cfg = json.loads(sys.argv[1])


class Emulated(PyiCloudService):
    """pyicloud with the emulator's hosts (its class-level endpoints)."""

    AUTH_ENDPOINT = cfg["authUrl"]
    SETUP_ENDPOINT = cfg["setupUrl"]


api = Emulated(cfg["appleId"], cfg["password"], cookie_directory=cfg["cookieDir"])
totals = {"files": 0, "bytes": 0}


def walk(node, local):
    os.makedirs(local, exist_ok=True)
    for child in node.get_children():
        path = os.path.join(local, child.name)
        if child.type == "file":
            with child.open(stream=True) as response, open(path, "wb") as file:
                shutil.copyfileobj(response.raw, file)
            totals["files"] += 1
            totals["bytes"] += os.path.getsize(path)
        else:
            walk(child, path)


started = time.perf_counter()
walk(api.drive[cfg["folder"]], cfg["out"])
print(json.dumps({"seconds": time.perf_counter() - started, **totals}))
