"""Phase profiles: the source document's numbers for each growth phase, as data."""
