"""The garbage collector, tuned for a long-running API process."""

import gc

YOUNG_THRESHOLD = 50_000


def settle_garbage_collector() -> None:
    """After start-up, moves the long-lived objects (schema, models, policy) out of the
    collector's sight and runs young collections less often. A request makes many
    short-lived reference cycles; full collections walking every long-lived object stalled
    the API's p99 (68 ms against a p50 of 8 ms, measured in-process on the listing; 9 ms after)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, 20, 20)
