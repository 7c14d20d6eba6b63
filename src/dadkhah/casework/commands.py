"""CLI commands of the casework capability (registered by dadkhah.cli)."""

import typer


def register(app: typer.Typer) -> None:
    """Add this capability's commands to the top-level app."""
