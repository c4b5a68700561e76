"""Replays the statements of one bmtui apply through a given SQLite library.

Usage: replay_sqlite.py LIBRARY STATEMENTS.json PROFILE_DIR

STATEMENTS.json is a list of SQL texts with their arguments written in, in
the order the apply ran them; "{{DIR}}" stands for the profile folder. The
profile's places.sqlite and weave/bookmarks.sqlite are copied to a scratch
folder first (not timed, and synced). Prints the time the statements took
and the CPU time the process spent on them, in ms.
BenchmarkApplySQLInFirefoxSQLite runs it against Firefox's own SQLite.
"""

import ctypes
import json
import os
import secrets
import shutil
import sys
import tempfile
import time
import urllib.parse

SQLITE_OPEN_READWRITE = 0x2
SQLITE_UTF8 = 1
SQLITE_TRANSIENT = ctypes.c_void_p(-1)


def main():
    library, statements_path, profile = sys.argv[1:4]
    lib = ctypes.CDLL(library)
    lib.sqlite3_errmsg.restype = ctypes.c_char_p
    lib.sqlite3_value_text.restype = ctypes.c_char_p
    lib.sqlite3_value_text.argtypes = [ctypes.c_void_p]
    lib.sqlite3_result_text.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.c_void_p]
    lib.sqlite3_result_null.argtypes = [ctypes.c_void_p]
    lib.sqlite3_create_function_v2.argtypes = [
        ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.c_int, ctypes.c_void_p,
        ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p]
    lib.sqlite3_exec.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p]
    with open(statements_path, encoding="utf-8") as f:
        statements = json.load(f)

    work = tempfile.mkdtemp(prefix="bmtui-replay-")
    try:
        os.makedirs(os.path.join(work, "weave"))
        for rel in ("places.sqlite", os.path.join("weave", "bookmarks.sqlite")):
            shutil.copyfile(os.path.join(profile, rel), os.path.join(work, rel))
        # As in BenchmarkApply, the copies are on disk before the clock
        # starts: the commit's fsyncs should not write them out.
        os.sync()
        statements = [s.replace("{{DIR}}", work) for s in statements]

        db = ctypes.c_void_p()
        rc = lib.sqlite3_open_v2(os.path.join(work, "places.sqlite").encode(), ctypes.byref(db), SQLITE_OPEN_READWRITE, None)
        if rc != 0:
            sys.exit("open: %d" % rc)

        # The SQL functions bmtui registers on its connection.
        func = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_int, ctypes.POINTER(ctypes.c_void_p))

        def result_text(ctx, text):
            if text is None:
                lib.sqlite3_result_null(ctx)
            else:
                b = text.encode()
                lib.sqlite3_result_text(ctx, b, len(b), SQLITE_TRANSIENT)

        def query_param(ctx, argc, argv):
            query, name = lib.sqlite3_value_text(argv[0]), lib.sqlite3_value_text(argv[1])
            if query is None or name is None:
                return result_text(ctx, None)
            values = urllib.parse.parse_qs(query.decode(), keep_blank_values=True).get(name.decode())
            result_text(ctx, values[0] if values else None)

        def generate_guid(ctx, argc, argv):
            result_text(ctx, secrets.token_urlsafe(9)[:12])

        keep = [func(query_param), func(generate_guid)]
        for name, argc, f in (("bmtui_get_query_param", 2, keep[0]), ("bmtui_generate_guid", 0, keep[1])):
            lib.sqlite3_create_function_v2(db, name.encode(), argc, SQLITE_UTF8, None,
                                           ctypes.cast(f, ctypes.c_void_p), None, None, None)

        start, cpu = time.perf_counter(), time.process_time()
        for s in statements:
            if lib.sqlite3_exec(db, s.encode(), None, None, None) != 0:
                sys.exit("%s: %s" % (lib.sqlite3_errmsg(db).decode(), " ".join(s.split())[:200]))
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        lib.sqlite3_close(db)
        print("%.3f %.3f" % (elapsed * 1000, cpu * 1000))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
