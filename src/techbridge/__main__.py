"""``python -m techbridge`` runs the CLI."""

from techbridge.cli import main

main()
