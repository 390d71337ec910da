"""Build scripts: rebuild the bundled snapshots from the reference data pack (``python -m scripts.<name>``)."""
