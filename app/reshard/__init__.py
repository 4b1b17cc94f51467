"""Online resharding: move each user's rows from the source (shard 0) to shard ``user_id % N``.

The shape is Vitess's Reshard workflow, small: copy, catch up, verify (a VDiff in
miniature), switch traffic per user range, reversible until ``--cleanup``.

Consistency mechanism: a per-range write fence with a short, bounded pause.

1. ``start``: the trivial map's single range is split into ranges of about ``range_rows``
   rows (by user id; the last range is open so new users fall in it). Status ``copying``.
2. ``copy``: rows of users with ``user_id % N != 0`` are copied in primary-key batches
   (keyset pagination) to shard ``user_id % N`` with their ids kept (upserts, so a retried
   batch duplicates nothing), while the app keeps writing to the source.
3. ``catch up`` per range: reconcile the range (row count and a checksum of every row's
   MD5 on both sides; where they differ, per-row MD5s of the rows above the last mark, or of
   the whole range if older rows changed: insert what is missing, update what differs,
   delete what the source no longer has); fence
   the range in the map (a lease of ``lease_seconds``; writers of that range wait, readers
   still read the source); reconcile again, now with no writer; verify that both sides hold
   exactly the same rows (count and checksum); flip the range to its targets (version + 1)
   and lift the fence in the same transaction. A writer holds a shared lock on its range row
   in shard 0 for as long as its write runs, and fence and flip take that row ``FOR
   UPDATE``, so no acknowledged write is lost or lands on the wrong side. A lease that ran
   out before the flip means writers may have resumed on the source: the flip is refused and
   the range retried.
4. ``done``: every range is at its targets. The source keeps its copies until ``cleanup``,
   so ``rollback`` is the same catch-up run the other way (targets -> source, which brings
   back the writes made on the targets after the flip), then a flip back.

All progress lives in shard 0 (``shard_map``, ``shard_map_ranges``); a run killed at any
point is continued by running the same command again.
"""
