"""Writes the SDL to `schema.graphql`: `python -m schema.export`."""

from pathlib import Path

from schema.api import sdl

TARGET = Path(__file__).resolve().parent.parent / "schema.graphql"

if __name__ == "__main__":
    TARGET.write_text(sdl(), encoding="utf-8")
    print(f"wrote {TARGET}")
