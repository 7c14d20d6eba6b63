"""Moving whole cases in and out: lossless JSON Lines, CSV per entity type, YAML case files."""
