"""Restores a bookmark backup with a real Firefox, through fforacle.

Usage: ffrestore.py FFORACLE_DIR BACKUPS_DIR OUT_JSON

Copies BACKUPS_DIR into a fresh profile's bookmarkbackups/, starts Firefox
headless (fforacle's launcher, in its network namespace), checks that
Firefox lists the .jsonlz4 there, restores it with BookmarkJSONUtils
(replace), and writes Firefox's own export of the restored tree to OUT_JSON.
Prints a JSON summary; exit status 0 when Firefox restored the file.
"""
import json
import os
import shutil
import sys
import tempfile

fforacle, backups, out = sys.argv[1], sys.argv[2], sys.argv[3]
sys.path.insert(0, fforacle)
import netns  # noqa: E402

netns.ensure(os.path.abspath(__file__), sys.argv[1:])
from firefox import Firefox  # noqa: E402

profile = tempfile.mkdtemp(prefix="bmtui-ffrestore-")
shutil.copytree(backups, os.path.join(profile, "bookmarkbackups"))
name = next(f for f in os.listdir(backups) if f.endswith(".jsonlz4"))

SCRIPT = r"""
const [name] = arguments;
const { PlacesBackups } = ChromeUtils.importESModule("resource://gre/modules/PlacesBackups.sys.mjs");
const { BookmarkJSONUtils } = ChromeUtils.importESModule("resource://gre/modules/BookmarkJSONUtils.sys.mjs");
return (async () => {
  try {
    // Let Places finish its startup work before replacing the tree.
    await new Promise(r => setTimeout(r, 3000));
    PlacesBackups.invalidateCache();
    const files = await PlacesBackups.getBackupFiles();
    const path = files.find(f => PathUtils.filename(f) == name);
    if (!path) return JSON.stringify({ok: false, error: "Firefox does not list " + name, files});
    await BookmarkJSONUtils.importFromFile(path, {replace: true});
    const [tree, count] = await PlacesBackups.getBookmarksTree();
    return JSON.stringify({ok: true, listed: true, count, tree: JSON.stringify(tree)});
  } catch (e) {
    return JSON.stringify({ok: false, error: String(e)});
  }
})();
"""

try:
    with Firefox(profile) as ff:
        res = json.loads(ff.js(SCRIPT, [name]))
        ff.quit()
finally:
    shutil.rmtree(profile, ignore_errors=True)
if res.get("ok"):
    with open(out, "w") as f:
        f.write(res.pop("tree"))
print(json.dumps(res))
sys.exit(0 if res.get("ok") else 1)
