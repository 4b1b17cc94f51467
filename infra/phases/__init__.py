"""Phase profiles: the source document's numbers for each growth phase, as data."""

# From phase 3 the app shards users across databases (profiles.yaml: shards > 1): verify reads
# the shard map there, and a promotion across 2 <-> 3 moves rows.
SHARDED_PHASE = 3
