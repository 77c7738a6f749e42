"""`gongxue serve` on the embedded default in an empty data dir: /healthz must answer ok for
the database, Redis and the in-process worker, the demo must load beside it, and a SIGTERM
must stop everything."""

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def post(url: str, query: str) -> dict:
    request = urllib.request.Request(
        url, json.dumps({"query": query}).encode(), {"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as r:
        return json.loads(r.read())


def main() -> int:
    data_dir = Path(tempfile.mkdtemp(prefix="gx-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("GONGXUE_")}
    env["GONGXUE_DATA_DIR"] = str(data_dir)
    port = free_port()
    server = subprocess.Popen([BIN / "gongxue", "serve", "--port", str(port)], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                status, health = get(f"{base}/healthz")
                if status == 200 or time.monotonic() > deadline:
                    break  # the in-process worker may take a moment to start
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline or server.poll() is not None:
                    print("newcomer: gongxue serve did not come up", file=sys.stderr)
                    return 1
            time.sleep(0.5)
        print(f"newcomer: /healthz {status} {health}")
        everything = {"status": "ok", "database": "ok", "redis": "ok", "worker": "ok"}
        if status != 200 or health != everything:
            return 1
        subprocess.run([BIN / "gongxue", "demo"], env=env, check=True)
        listing = post(f"{base}/graphql", "{ communities { totalCount } }")
        print(f"newcomer: {listing}")
        if listing["data"]["communities"]["totalCount"] < 5:
            return 1
    finally:
        server.send_signal(signal.SIGTERM)
        code = server.wait(timeout=60)
    print(f"newcomer: gongxue serve stopped with {code}")
    leftovers = subprocess.run(
        ["pgrep", "-f", str(data_dir)], capture_output=True, text=True
    ).stdout.split()
    if leftovers:
        print(f"newcomer: processes still running on the data dir: {leftovers}", file=sys.stderr)
        return 1
    return code


if __name__ == "__main__":
    sys.exit(main())
