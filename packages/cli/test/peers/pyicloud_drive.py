"""Drives an unmodified pyicloud against `sigwire emulate --icloud` (its iCloud Drive service).

Usage: python3 pyicloud_drive.py '<json>' where the JSON names authUrl, setupUrl, appleId,
password, a cookie directory and a work directory holding upload.txt. It lists the root and
Documents, uploads upload.txt into Documents, downloads it back, renames it, deletes it, and prints
one JSON line with what it saw. pyicloud is used as published: only its class-level endpoints are
pointed at the emulator (the documented way to reach other hosts), and, for pyicloud 1.0.0 only,
the clientId its Drive calls read from `params` is filled in (1.0.0 never fills it; later versions
do).
"""

import hashlib
import json
import os
import sys

import pyicloud
from pyicloud import PyiCloudService

cfg = json.loads(sys.argv[1])


class Emulated(PyiCloudService):
    """pyicloud with the emulator's hosts."""

    AUTH_ENDPOINT = cfg["authUrl"]
    SETUP_ENDPOINT = cfg["setupUrl"]


def fresh(drive, node):
    """A folder node listed again (pyicloud caches children)."""
    data = drive.get_node_data(node.data["docwsid"]) if VERSION_1 else drive.get_node_data(node.data["drivewsid"])
    return pyicloud.services.drive.DriveNode(drive, data)


VERSION_1 = not hasattr(pyicloud.services.drive, "CLOUD_DOCS_ZONE")
out = {"pyicloud": getattr(pyicloud, "__version__", "1.0.0" if VERSION_1 else "unknown")}
api = Emulated(cfg["appleId"], cfg["password"], cookie_directory=cfg["cookieDir"])
if VERSION_1:
    api.params.setdefault("clientId", api.client_id)
drive = api.drive
out["root"] = drive.dir()
documents = drive["Documents"]
os.chdir(cfg["workDir"])
with open("upload.txt", "rb") as f:
    documents.upload(f)
documents = fresh(drive, documents)
out["documents"] = documents.dir()
node = documents["upload.txt"]
out["size"] = node.size
response = node.open(stream=True)
data = response.raw.read()
out["sha256"] = hashlib.sha256(data).hexdigest()
node.rename("renamed.txt")
documents = fresh(drive, documents)
out["afterRename"] = documents.dir()
renamed = documents["renamed.txt"]
renamed.delete() if VERSION_1 else renamed.move_to_trash()
documents = fresh(drive, documents)
out["afterDelete"] = documents.dir()
print(json.dumps(out))
