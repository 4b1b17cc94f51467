"""Online resharding on real MariaDB: the app writes and reads throughout, nothing is lost."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.core.shard_map import RangeFenced, ShardMapMismatch
from app.reshard.errors import ReshardError
from app.reshard.workflow import Options, Reshard
from tests.app.factories import (
    MAP_TTL,
    Proxy,
    Shards,
    apply,
    jobs_of,
    locate,
    make_shards,
    map_status,
    populate,
)

OPTIONS = Options(batch_size=200, range_rows=150, map_ttl=MAP_TTL, lease_seconds=2.0)


@pytest.fixture
def shards() -> Iterator[Shards]:
    yield from make_shards(3)


def reshard(shards: Shards, **kwargs: object) -> Reshard:
    return Reshard(shards.urls[0], shards.urls, OPTIONS, **kwargs)  # type: ignore[arg-type]


def test_concurrent_writes_and_reads_survive_a_reshard(shards: Shards) -> None:
    populate(shards, users=150, per_user=4)
    database = shards.database()
    before = {u: jobs_of(database, u) for u in (1, 2, 3, 149, 150)}
    acked: dict[int, set[int]] = {}
    acked_lock = threading.Lock()
    failures: list[str] = []
    stop = threading.Event()

    def writer(seed: int) -> None:
        rng = random.Random(seed)
        job = seed * 100_000
        while not stop.is_set():
            user, job = rng.randint(1, 200), job + 1  # users 151-200 are new during the move
            try:
                apply(database, user, job)
            except Exception as error:  # an unacknowledged write: allowed, recorded
                failures.append(f"write {user}/{job}: {error!r}")
                continue
            with acked_lock:
                acked.setdefault(user, set()).add(job)

    def reader(seed: int) -> None:
        rng = random.Random(seed)
        while not stop.is_set():
            user = rng.randint(1, 200)
            with acked_lock:
                expected = set(acked.get(user, set()))
            if user <= 150:
                expected |= set(range(4))
            seen = jobs_of(database, user)
            if not expected <= seen:
                failures.append(f"read of user {user} missed {sorted(expected - seen)[:5]}")

    threads = [threading.Thread(target=writer, args=(s,)) for s in (1, 2, 3)]
    threads += [threading.Thread(target=reader, args=(s,)) for s in (7, 8)]
    for thread in threads:
        thread.start()
    time.sleep(0.3)
    run = reshard(shards)
    try:
        summary = run.run()
    finally:
        run.close()
    time.sleep(0.3)  # writes keep going after the flip
    stop.set()
    for thread in threads:
        thread.join()

    assert failures == []
    assert summary.status == "done" and summary.verified
    # every populated user off shard 0 was moved; users new after their range flipped were not
    assert 100 <= summary.users_moved <= len([u for u in range(1, 201) if u % 3])
    assert summary.pause_ms_max < 2000
    where = locate(shards)
    total_acked = sum(len(jobs) for jobs in acked.values())
    assert total_acked > 20  # the writers really wrote during the reshard
    for user, jobs in acked.items():
        for job in jobs:
            homes = where[(user, job)]
            assert user % 3 in homes, (user, job, homes)
            assert homes.count(user % 3) == 1
            if user % 3:  # a moved user's row: at most the source's stale copy besides
                assert set(homes) <= {0, user % 3}
    for user, jobs in before.items():
        assert jobs_of(database, user) >= jobs
    database.dispose()


GM = [sys.executable, "-c", "import sys, cli; sys.argv[0] = 'gm-infra'; cli.main()"]
ROOT = Path(__file__).resolve().parents[3]


def gm(*args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SHARD_MAP_TTL_SECONDS": str(MAP_TTL)}
    return subprocess.run(
        [*GM, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, **kwargs
    )


def reshard_args(shards: Shards, *extra: str) -> list[str]:
    args = ["app", "reshard", "--source", shards.urls[0]]
    for url in shards.urls:
        args += ["--target", url]
    return [*args, "--batch-size", "50", "--range-rows", "60", "--yes", "--format", "json", *extra]


def progress_of(shards: Shards) -> tuple[str, int, int, int]:
    """status, rows copied, ranges at their targets, ranges fenced: read from the map."""
    status, copied = shards.query(0, "SELECT status, rows_copied FROM shard_map")[0]
    flipped, fenced = shards.query(
        0,
        "SELECT COALESCE(SUM(location = 'target'), 0), "
        "COALESCE(SUM(fenced_until > NOW(6)), 0) FROM shard_map_ranges",
    )[0]
    return str(status), int(copied), int(flipped), int(fenced)  # type: ignore[call-overload]


def test_sigkill_at_random_points_then_rerun_ends_in_the_same_state(shards: Shards) -> None:
    populate(shards, users=120, per_user=5)
    database = shards.database()
    before = {u: jobs_of(database, u) for u in range(1, 121)}
    seed = int(time.time())
    rng = random.Random(seed)
    # Random points by work done (not by time, which depends on the machine's load):
    # mid-copy after some batches, then mid-catch-up after some ranges or under a fence.
    # Each point holds from then on (work only grows), so a poll that comes late under
    # load still kills the run at the first moment it sees the point passed, rather
    # than letting the run finish unkilled.
    past_copying = ("catching_up", "done")
    points = [
        lambda p, rows=rng.randint(1, 6) * 50: (
            p[0] in past_copying or (p[0] == "copying" and p[1] >= rows)
        ),
        rng.choice(
            [
                lambda p, ranges=rng.randint(1, 8): p[2] >= ranges,
                lambda p: p[3] > 0 or p[2] >= 1,  # under a fence, or just past the first
            ]
        ),
    ]
    kills = 0
    for attempt, point in enumerate(points):
        process = subprocess.Popen(
            [*GM, *reshard_args(shards)],
            cwd=ROOT,
            env={**os.environ, "SHARD_MAP_TTL_SECONDS": str(MAP_TTL)},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        while process.poll() is None and not point(progress_of(shards)):
            time.sleep(0.005)
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            kills += 1
        process.wait()
        fresh = shards.database()  # an app (re)started mid-reshard reads every row
        assert {u: jobs_of(fresh, u) for u in range(1, 121)} == before
        apply(fresh, 7, 9000 + attempt)  # and writes (a killed run's fence lease expires)
        before[7].add(9000 + attempt)
        fresh.dispose()
    assert kills >= 1, f"seed {seed}: no run was killed"
    done = gm(*reshard_args(shards))
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["status"] == "done" and summary["verified"] is True
    assert set(summary) >= {"rows_copied", "rows_per_s", "users_moved", "verified", "pause_ms_max"}
    assert {u: jobs_of(database, u) for u in range(1, 121)} == before
    where = locate(shards)
    for (user, _job), homes in where.items():
        assert homes.count(user % 3) == 1  # exactly once on the user's shard
    run = reshard(shards)  # a rerun after done changes nothing
    try:
        assert run.run().rows_copied == 0
    finally:
        run.close()
    status = json.loads(gm(*reshard_args(shards)[:4], "--status", "--format", "json").stdout)
    assert status["status"] == "done" and status["ranges_at_source"] == 0
    database.dispose()


def test_rollback_after_a_completed_reshard_keeps_writes_made_on_the_targets(
    shards: Shards,
) -> None:
    populate(shards, users=60, per_user=3)
    source_rows = shards.query(0, "SELECT COUNT(*) FROM applications")[0][0]
    database = shards.database()
    run = reshard(shards)
    try:
        assert run.run().status == "done"
    finally:
        run.close()
    # nothing leaves the source before --cleanup
    assert shards.query(0, "SELECT COUNT(*) FROM applications")[0][0] == source_rows
    time.sleep(MAP_TTL)
    for user in (1, 2, 4, 5, 61, 62):  # written on the targets after the flip
        apply(database, user, 500)
        assert locate(shards)[(user, 500)] == [user % 3]
    expected = {u: jobs_of(database, u) for u in range(1, 63)}
    run = reshard(shards)
    try:
        summary = run.rollback()
    finally:
        run.close()
    assert summary.status == "rolled_back" and summary.verified
    assert {u: jobs_of(database, u) for u in range(1, 63)} == expected
    for user in (1, 2, 4, 5, 61, 62):
        assert 0 in locate(shards)[(user, 500)]  # brought back to the source
    apply(database, 4, 501)  # after the rollback, writes go to the source again
    assert locate(shards)[(4, 501)] == [0]
    run = reshard(shards)
    try:
        assert run.cleanup().status == "idle"  # the targets' copies go, the map is trivial
    finally:
        run.close()
    assert shards.query(1, "SELECT COUNT(*) FROM applications")[0][0] == 0
    assert shards.query(2, "SELECT COUNT(*) FROM applications")[0][0] == 0
    assert {u: jobs_of(database, u) for u in range(1, 63)} == {
        **expected,
        4: expected[4] | {501},
    }
    database.dispose()


def test_cleanup_after_done_removes_only_the_moved_rows_from_the_source(shards: Shards) -> None:
    populate(shards, users=30, per_user=2)
    database = shards.database()
    expected = {u: jobs_of(database, u) for u in range(1, 31)}
    run = reshard(shards)
    try:
        run.run()
        assert run.cleanup().status == "done"
        with pytest.raises(ReshardError, match="deleted by --cleanup"):
            run.rollback()
    finally:
        run.close()
    left = shards.query(0, "SELECT DISTINCT user_id % 3 FROM applications")
    assert left == [(0,)]
    assert {u: jobs_of(database, u) for u in range(1, 31)} == expected
    database.dispose()
    # an instance configured with fewer shards than the map names answers 503, never guesses
    short = Shards(shards.names[:2]).database()
    with pytest.raises(ShardMapMismatch):
        jobs_of(short, 2)
    assert jobs_of(short, 1) == expected[1]
    short.dispose()


def test_a_target_cut_mid_copy_then_rerun_completes(shards: Shards) -> None:
    populate(shards, users=90, per_user=4)
    database = shards.database()
    expected = {u: jobs_of(database, u) for u in range(1, 91)}
    proxy = Proxy()
    targets = [shards.urls[0], shards.urls[1], proxy.url(shards.names[2])]
    batches = 0

    def cut_after_two_batches(phase: str, _done: int, _total: int) -> None:
        nonlocal batches
        if phase == "copy":
            batches += 1
            if batches == 3:
                proxy.cut()

    options = Options(batch_size=40, range_rows=100, map_ttl=MAP_TTL)
    run = Reshard(shards.urls[0], targets, options, progress=cut_after_two_batches)
    try:
        with pytest.raises(ReshardError, match="stopped answering") as failed:
            run.run()
        assert failed.value.fault and "rerun" in failed.value.hint
    finally:
        run.close()
    assert map_status(shards) == "copying"
    assert {u: jobs_of(database, u) for u in range(1, 91)} == expected  # still served
    proxy.mend()
    run = Reshard(shards.urls[0], targets, options)
    try:
        assert run.run().verified
    finally:
        run.close()
        proxy.close()
    assert {u: jobs_of(database, u) for u in range(1, 91)} == expected
    database.dispose()


def test_a_fenced_range_holds_writers_briefly_and_a_lapsed_fence_refuses_the_flip(
    shards: Shards,
) -> None:
    from app.reshard.map_admin import MapAdmin

    populate(shards, users=3, per_user=1)
    database = shards.database()
    run = reshard(shards)
    try:
        run._prepare()
        run._start()
    finally:
        run.close()
    admin = MapAdmin(run.source)
    lease = 0.6
    fenced = time.monotonic()  # before the fence: the lease cannot lapse earlier than this
    admin.fence(0, lease_seconds=lease)
    apply(database, 1, 77)  # waits for the lease, then writes to the source
    held = time.monotonic() - fenced
    # Held until the lease lapsed (0.9: the lease is timed by MariaDB's clock), and only
    # briefly: bounded by the lease, with room for a loaded machine, not held for good.
    assert 0.9 * lease <= held < lease + 5.0, held
    assert locate(shards)[(1, 77)] == [0]
    assert not admin.flip(0, "target", rows=0, users=0, checksum="", pause_ms=0)
    assert map_status(shards) == "copying"  # nothing moved
    admin.fence(0, lease_seconds=5)
    assert database.shard_map is not None
    database.shard_map.max_wait = 0.2
    with pytest.raises(RangeFenced):
        apply(database, 1, 78)
    admin.unfence(0)
    admin.engine.dispose()
    database.dispose()


def test_bad_input_is_refused_with_a_clear_message_and_nothing_changes(shards: Shards) -> None:
    populate(shards, users=10, per_user=1)
    a, b, c = shards.urls
    cases = [
        ([a, c], b, "first --target"),
        ([a, b, b], a, "same database twice"),
        ([a], a, "needs N >= 2"),
        (["sqlite:///x.db", b], a, "needs MariaDB"),
        ([a, b, "mysql+pymysql://root:secret@127.0.0.1:1/nowhere"], a, "unreachable"),
    ]
    for targets, source, message in cases:
        with pytest.raises(ReshardError, match=message) as refused:
            Reshard(source, targets, OPTIONS).run()
        assert "secret" not in refused.value.message and not refused.value.fault
    shards.query(
        1,
        "INSERT INTO applications (user_id, job_id, status, cover_letter, created_at) "
        "VALUES (4, 1, 's', '', NOW())",
    )
    with pytest.raises(ReshardError, match="not empty of foreign data"):
        run = reshard(shards)
        try:
            run.run()
        finally:
            run.close()
    assert map_status(shards) == "idle"
    shards.query(1, "DELETE FROM applications")
    run = reshard(shards)
    try:
        run.run()
    finally:
        run.close()
    mismatched = [([a, b], "2 targets were given"), ([a, c, b], "targets differ")]
    for targets, message in mismatched:
        run = Reshard(a, targets, OPTIONS)
        try:
            with pytest.raises(ReshardError, match=message):
                run.run()
        finally:
            run.close()
    no_yes = gm(
        "app", "reshard", "--source", a, "--target", a, "--target", b, stdin=subprocess.DEVNULL
    )
    assert no_yes.returncode == 2 and "--yes" in no_yes.stderr
    bad = gm(*reshard_args(shards)[:4], "--target", a, "--target", c, "--yes")
    assert bad.returncode == 2 and "error:" in bad.stderr and "Traceback" not in bad.stderr


def test_catch_up_compares_only_new_rows_unless_old_ones_changed(shards: Shards) -> None:
    from sqlalchemy import create_engine

    from app.reshard import rows

    populate(shards, users=12, per_user=2)
    engines = [create_engine(url) for url in shards.urls]
    source, targets = rows.SourceSide(engines[0], 3), rows.TargetSide(dict(enumerate(engines)), 3)
    targets.engines.pop(0)
    table = rows.SHARDED_TABLES[0]
    assert rows.reconcile(table, 0, None, source, targets).upserted == 16  # 8 users move
    mark = source.high_mark(table, 0, None)
    insert = (
        "INSERT INTO applications (user_id, job_id, status, cover_letter, created_at) "
        "VALUES (%s, 99, 'submitted', '', NOW())"
    )
    shards.query(0, insert, 4)  # a new row above the mark
    done = rows.reconcile(table, 0, None, source, targets, mark=mark)
    assert (done.upserted, done.deleted) == (1, 0)
    shards.query(0, "UPDATE applications SET status = 'seen' WHERE user_id = 5 AND job_id = 0")
    shards.query(0, "DELETE FROM applications WHERE user_id = 7 AND job_id = 1")
    done = rows.reconcile(table, 0, None, source, targets, mark=mark)  # old rows changed too
    assert (done.upserted, done.deleted) == (1, 1)
    assert not rows.verify(table, 0, None, source, targets).mismatched
    assert shards.query(2, "SELECT status FROM applications WHERE user_id = 5 AND job_id = 0") == [
        ("seen",)
    ]
    for engine in engines:
        engine.dispose()
