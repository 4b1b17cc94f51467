"""Phase profiles: the source document's numbers for each growth phase, as data."""

# From phase 3 the app shards users across databases (profiles.yaml: shards > 1): verify reads
# the shard map there, and a promotion across 2 <-> 3 moves rows.
SHARDED_PHASE = 3

# The reshard on AWS runs at most this long on its instance (SSM executionTimeout). It holds
# GET_LOCK on one connection throughout, which may sit idle between batches: RDS Proxy closes
# a client connection idle for IdleClientTimeout (default 1,800 s) and the lock goes with it.
RESHARD_RUN_TIMEOUT_S = 4 * 3600
# So the proxies keep idle clients for RDS Proxy's longest allowed time (1 to 28,800 s,
# CreateDBProxy), longer than any reshard run; gm-infra validate checks the two agree.
PROXY_IDLE_CLIENT_TIMEOUT_S = 28_800
