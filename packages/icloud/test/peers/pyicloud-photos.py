# Drives Debian's python3-pyicloud (pyicloud 1.0.0), unmodified, against the iCloud emulator: signs in,
# lists the albums, downloads every original of All Photos and of one album, and prints a JSON summary.
# The emulator's hosts are given the way pyicloud 1.0.0 keeps them, as class attributes of
# PyiCloudService. Usage: python3 pyicloud-photos.py <authUrl> <setupUrl> <appleId> <password> <outDir> <album>
import json
import os
import sys

from pyicloud import PyiCloudService

auth_url, setup_url, apple_id, password, out, album = sys.argv[1:7]
PyiCloudService.AUTH_ENDPOINT = auth_url
PyiCloudService.SETUP_ENDPOINT = setup_url
api = PyiCloudService(apple_id, password, cookie_directory=os.path.join(out, ".pyicloud"))


def save(photo, folder):
    os.makedirs(folder, exist_ok=True)
    response = photo.download()
    with open(os.path.join(folder, photo.filename), "wb") as f:
        for chunk in response.iter_content(1 << 16):
            f.write(chunk)


albums = api.photos.albums
everything = [p.filename for p in albums["All Photos"].photos]
for photo in albums["All Photos"].photos:
    save(photo, os.path.join(out, "all"))
in_album = []
for photo in albums[album].photos:
    in_album.append(photo.filename)
    save(photo, os.path.join(out, "album"))
print(json.dumps({"albums": sorted(albums.keys()), "all": everything, "album": in_album, "count": len(albums["All Photos"])}))
