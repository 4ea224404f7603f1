# The pyicloud side of the photos benchmark: Debian's pyicloud 1.0.0, unmodified, signs in to the iCloud
# emulator and downloads every original of All Photos through its photos service, streaming each file to
# disk, and each live photo's video: the same files sigwire's sync downloads. pyicloud 1.0.0 has no
# version for a live photo's video (PHOTO_VERSION_LOOKUP in services/photos.py names original, medium
# and thumb), so its URL is read from the master record the photo holds (resOriginalVidComplRes, as
# icloudpd reads it) and fetched with pyicloud's own session, as photo.download() fetches an original.
# Usage: python3 pyicloud-download.py <authUrl> <setupUrl> <appleId> <password> <outDir>
import json
import os
import sys
import time

from pyicloud import PyiCloudService

auth_url, setup_url, apple_id, password, out = sys.argv[1:6]
PyiCloudService.AUTH_ENDPOINT = auth_url
PyiCloudService.SETUP_ENDPOINT = setup_url
os.makedirs(out, exist_ok=True)
api = PyiCloudService(apple_id, password, cookie_directory=os.path.join(out, ".pyicloud"))
started = time.perf_counter()
count = 0
total = 0


def save(response, name):
    global count, total
    with open(os.path.join(out, f"{count}-{name}"), "wb") as f:
        for chunk in response.iter_content(1 << 16):
            f.write(chunk)
            total += len(chunk)
    count += 1


for photo in api.photos.all:
    save(photo.download(), photo.filename)
    live = photo._master_record["fields"].get("resOriginalVidComplRes")
    if live:
        save(photo._service.session.get(live["value"]["downloadURL"], stream=True), photo.filename + ".MOV")
print(json.dumps({"files": count, "bytes": total, "seconds": time.perf_counter() - started}))
