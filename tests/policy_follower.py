"""A second process for the propagation test: opens its own runtime, follows the policy, and
for each line `SUBJECT ROLE COMMUNITY|- yes|no` on stdin answers with the milliseconds it
took until its copy of the policy agreed (or `timeout`)."""

import asyncio
import os
import sys
import time

from server.embedded import ServiceUrls
from server.runtime import open_runtime
from server.settings import Settings

DEADLINE_SECONDS = 10


async def main() -> None:
    settings = Settings(env="test", secret_key=os.environ["GONGXUE_SECRET_KEY"])
    services = ServiceUrls(
        os.environ["GONGXUE_DATABASE_URL"], os.environ["GONGXUE_REDIS_URL"], False, False
    )
    runtime = open_runtime(settings, services)
    await runtime.start()
    print("ready", flush=True)
    loop = asyncio.get_running_loop()
    try:
        while line := await loop.run_in_executor(None, sys.stdin.readline):
            subject, role, community, wanted = line.split()
            started = time.monotonic()
            expected = wanted == "yes"
            where = None if community == "-" else community
            while runtime.policy.holds(subject, role, where) != expected:
                if time.monotonic() - started > DEADLINE_SECONDS:
                    print("timeout", flush=True)
                    break
                await asyncio.sleep(0.01)
            else:
                print(f"{(time.monotonic() - started) * 1000:.0f}", flush=True)
    finally:
        await runtime.close()


if __name__ == "__main__":
    asyncio.run(main())
