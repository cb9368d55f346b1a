"""The use cases behind the CLI: each takes settings and arguments and returns data (no printing, no Typer)."""
