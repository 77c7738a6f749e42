"""What the embedded default (`server/embedded.py`) takes from pgserver beyond its public API:
its count of the processes using a data dir (`.handle_pids.json`, which the last one to exit
stops the server by) and the inter-process lock it keeps that count under. pgserver keeps both
private, so they may change in any release; they are used here and nowhere else, and
`tests/server/test_pgserver_private.py` pins what is relied on, so that an upgrade which
changes them fails that test by name instead of `gongxue serve`."""

import contextlib
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

# The file under the data dir where pgserver counts the processes using the server.
USERS_FILE = ".handle_pids.json"


class Users(Protocol):
    """pgserver's count of a server's users: the ids of the processes using it."""

    def get(self) -> list[int]: ...

    def put(self, values: list[int]) -> None: ...


@contextlib.contextmanager
def users_of(pgdata: Path) -> Iterator[Users]:
    """The processes pgserver counts as using the server in `pgdata`, held under its lock, so
    no process starting or stopping the server meanwhile changes them."""
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI).
        warnings.simplefilter("ignore")
        from pgserver.postgres_server import PostgresServer
        from pgserver.utils import DiskList

    with PostgresServer._lock:
        yield DiskList(pgdata / USERS_FILE)
