"""What the embedded default relies on in pgserver's private API
(`server/pgserver_private.py`). An upgrade of pgserver that changes any of it fails here, by
name, before `gongxue serve` does."""

import inspect
import os
import warnings

from server.pgserver_private import USERS_FILE, users_of

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # platformdirs, on XDG_RUNTIME_DIR unset
    from pgserver.postgres_server import PostgresServer


def test_pgserver_counts_its_users_in_the_file_the_takeover_rewrites():
    # The server counts a process in, and out at exit, through that file and under that lock:
    # a process forgotten there no longer keeps the server running.
    source = inspect.getsource(PostgresServer)
    assert f"'{USERS_FILE}'" in source
    assert source.count("with self._lock:") >= 2, "counting in and out must hold the lock"


def test_the_users_are_read_and_rewritten_under_pgservers_lock(tmp_path):
    (tmp_path / USERS_FILE).write_text(f"[{os.getpid()}, 999999999]")

    with users_of(tmp_path) as users:
        assert users.get() == [os.getpid(), 999999999]
        users.put([os.getpid()])
        # pgserver's lock is held meanwhile: nobody else counts in or out.
        assert PostgresServer._lock.acquired

    assert not PostgresServer._lock.acquired
    assert (tmp_path / USERS_FILE).read_text().strip() == f"[{os.getpid()}]"
