"""The garbage collector, tuned for a long-running API process."""

import gc

# A request leaves objects in reference cycles (tasks, futures, resolver info). A young
# collection's pause grows faster than the objects it frees (bench/RESULTS.md, "Measurements
# behind design decisions"), so it runs often and short; what it costs overall is about the
# same at any threshold.
YOUNG_THRESHOLD = 2_000


def settle_garbage_collector() -> None:
    """After start-up, moves the long-lived objects (schema, models, policy) out of the
    collector's sight, so no collection walks them again, and sets the young threshold.
    Full collections walking every long-lived object had stalled the API's p99 many times
    over its p50 (bench/RESULTS.md)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, 20, 20)
