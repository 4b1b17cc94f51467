"""The AI service's micro-batching: shared calls, bounded queue, answers to the right caller.

The encode function here records its calls and can be held, so the queue's state is known
exactly; the model itself is exercised in tests/app/api/routes/test_ai.py.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import numpy as np
import numpy.typing as npt
import pytest

from app.services.embed_batcher import EmbedBatcher, EncodeFailed, QueueFull, WorkerStopped


class HeldEncoder:
    """Encodes a text as ``[len(text), position in its call]``; ``hold`` blocks calls."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []
        self.started = threading.Event()
        self.release = threading.Event()
        self.release.set()

    def __call__(self, texts: list[str]) -> npt.NDArray[np.float32]:
        self.calls.append(list(texts))
        self.started.set()
        self.release.wait(10)
        if "boom" in texts:
            raise RuntimeError("model failed")
        return np.array([[len(t), i] for i, t in enumerate(texts)], dtype=np.float32)


@pytest.fixture
def encoder() -> HeldEncoder:
    return HeldEncoder()


@pytest.fixture
def batcher(encoder: HeldEncoder) -> Iterator[EmbedBatcher]:
    batcher = EmbedBatcher(encoder, max_batch=4, max_wait=0.05, max_queued=6)
    batcher.start()
    yield batcher
    encoder.release.set()
    batcher.stop()


def hold_worker(batcher: EmbedBatcher, encoder: HeldEncoder) -> None:
    """Make the worker busy on one text, so later submissions wait in the queue."""
    encoder.release.clear()
    encoder.started.clear()
    batcher.submit(["first"])
    assert encoder.started.wait(5)


def test_waiting_requests_share_one_call_and_get_their_own_rows(
    batcher: EmbedBatcher, encoder: HeldEncoder
) -> None:
    hold_worker(batcher, encoder)
    a = batcher.submit(["a", "bb"])
    b = batcher.submit(["ccc"])
    c = batcher.submit(["dddd", "e"])  # would make 5 texts: waits for the next batch
    assert batcher.queued_texts == 5
    encoder.release.set()
    assert a.result(5).tolist() == [[1, 0], [2, 1]]
    assert b.result(5).tolist() == [[3, 2]]
    assert c.result(5).tolist() == [[4, 0], [1, 1]]
    assert encoder.calls == [["first"], ["a", "bb", "ccc"], ["dddd", "e"]]
    assert batcher.queued_texts == 0


def test_a_lone_request_waits_at_most_max_wait(batcher: EmbedBatcher) -> None:
    answer = batcher.submit(["solo"])
    assert answer.result(1).tolist() == [[4, 0]]


def test_a_lone_request_goes_straight_to_the_model_but_company_is_gathered(
    encoder: HeldEncoder,
) -> None:
    """A window far longer than the deadlines below: a lone request answered within them
    did not wait for it. Once requests come together, a batch waits for its company."""
    batcher = EmbedBatcher(encoder, max_batch=2, max_wait=600, max_queued=4)
    batcher.start()
    try:
        assert batcher.submit(["solo"]).result(30).tolist() == [[4, 0]]
        hold_worker(batcher, encoder)  # "first", alone: straight to the model
        a = batcher.submit(["a"])  # queued while "first" is encoded: clients come together
        encoder.release.set()
        b = batcher.submit(["b"])  # joins "a" whether or not the worker took "a" yet
        assert a.result(30).tolist() == [[1, 0]]
        assert b.result(30).tolist() == [[1, 1]]
        assert encoder.calls == [["solo"], ["first"], ["a", "b"]]
    finally:
        encoder.release.set()
        batcher.stop()


def test_a_full_queue_refuses_at_once_with_a_retry_after(
    batcher: EmbedBatcher, encoder: HeldEncoder
) -> None:
    hold_worker(batcher, encoder)
    queued = [batcher.submit(["1", "2", "3", "4"]), batcher.submit(["5", "6"])]
    with pytest.raises(QueueFull) as refused:
        batcher.submit(["7"])
    assert refused.value.retry_after >= 1
    encoder.release.set()
    for future in queued:
        future.result(5)
    assert batcher.submit(["8"]).result(5).tolist() == [[1, 0]]  # room again


def test_an_encode_error_fails_only_the_request_whose_texts_broke_the_model(
    batcher: EmbedBatcher, encoder: HeldEncoder
) -> None:
    """A text that breaks the model must not fail the other requests of its batch (one
    client could otherwise fail everyone's requests): the batch is retried one by one."""
    hold_worker(batcher, encoder)
    failing, sharing = batcher.submit(["boom"]), batcher.submit(["x"])
    encoder.release.set()
    with pytest.raises(EncodeFailed, match="model failed"):
        failing.result(5)
    assert sharing.result(5).tolist() == [[1, 0]]
    assert encoder.calls[1:] == [["boom", "x"], ["boom"], ["x"]]
    assert batcher.submit(["fine"]).result(5).tolist() == [[4, 0]]  # the worker lives on


def test_a_model_answering_too_few_rows_fails_the_batch_not_the_worker(
    encoder: HeldEncoder,
) -> None:
    batcher = EmbedBatcher(lambda texts: encoder(texts)[:1], max_batch=4, max_wait=0)
    batcher.start()
    try:
        with pytest.raises(EncodeFailed, match="1 vectors for 2 texts"):
            batcher.submit(["a", "b"]).result(5)
        assert batcher.submit(["c"]).result(5).tolist() == [[1, 0]]
    finally:
        batcher.stop()


def test_a_cancelled_request_is_dropped_and_the_worker_lives_on(
    batcher: EmbedBatcher, encoder: HeldEncoder
) -> None:
    """A caller that gave up (client gone) while queued: its texts are never encoded, and
    answering the others cannot fail (a cancelled future used to kill the worker thread,
    after which every request waited forever)."""
    hold_worker(batcher, encoder)
    gone = batcher.submit(["gone", "away"])
    kept = batcher.submit(["kept"])
    assert gone.cancel()
    encoder.release.set()
    assert kept.result(5).tolist() == [[4, 0]]
    assert ["gone", "away"] not in encoder.calls and ["gone", "away", "kept"] not in encoder.calls
    assert batcher.queued_texts == 0
    assert batcher.submit(["after"]).result(5).tolist() == [[5, 0]]


def test_a_request_taken_by_the_worker_can_no_longer_be_cancelled(
    batcher: EmbedBatcher, encoder: HeldEncoder
) -> None:
    encoder.release.clear()
    encoder.started.clear()
    running = batcher.submit(["running"])
    assert encoder.started.wait(5)
    assert not running.cancel()
    encoder.release.set()
    assert running.result(5).tolist() == [[7, 0]]
    assert batcher.submit(["next"]).result(5).tolist() == [[4, 0]]


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_a_dead_worker_refuses_at_once_instead_of_queueing_forever() -> None:
    def fatal(texts: list[str]) -> npt.NDArray[np.float32]:
        raise SystemExit  # a BaseException: nothing in the worker catches it

    batcher = EmbedBatcher(fatal, max_batch=4, max_wait=0)
    batcher.start()
    batcher.submit(["wake"])
    assert batcher._thread is not None
    batcher._thread.join(5)
    with pytest.raises(WorkerStopped, match="not running"):
        batcher.submit(["late"])
    batcher.stop()


def test_stop_fails_what_is_still_queued(encoder: HeldEncoder) -> None:
    batcher = EmbedBatcher(encoder, max_batch=1, max_wait=0, max_queued=4)
    batcher.start()
    hold_worker(batcher, encoder)
    waiting = batcher.submit(["later"])
    stopper = threading.Thread(target=batcher.stop)
    stopper.start()
    encoder.release.set()
    stopper.join(10)
    with pytest.raises(RuntimeError, match="stopping"):
        waiting.result(5)
    with pytest.raises(RuntimeError, match="not running"):
        batcher.submit(["after"])


def test_the_queue_must_hold_a_batch() -> None:
    with pytest.raises(ValueError, match="must hold one batch"):
        EmbedBatcher(HeldEncoder(), max_batch=64, max_queued=8)


@pytest.fixture
def fair(encoder: HeldEncoder) -> Iterator[EmbedBatcher]:
    batcher = EmbedBatcher(encoder, max_batch=2, max_wait=0.05, max_queued=8)
    batcher.start()
    yield batcher
    encoder.release.set()
    batcher.stop()


def test_a_flooding_caller_cannot_starve_another(fair: EmbedBatcher, encoder: HeldEncoder) -> None:
    hold_worker(fair, encoder)
    assert fair.max_per_caller == 6  # the queue keeps room for another caller's batch
    flood = [fair.submit([f"a{n}", f"a{n}"], caller="worker") for n in range(3)]
    with pytest.raises(QueueFull):
        fair.submit(["a-more"], caller="worker")  # at its share, while the queue has room
    other = fair.submit(["b0", "b0"], caller="matching")
    encoder.release.set()
    for future in [*flood, other]:
        future.result(5)
    # after the held call: one of the flood's, then the other caller's, then the rest
    assert encoder.calls[1:] == [["a0", "a0"], ["b0", "b0"], ["a1", "a1"], ["a2", "a2"]]


def test_a_question_goes_before_bulk_work(fair: EmbedBatcher, encoder: HeldEncoder) -> None:
    hold_worker(fair, encoder)
    bulk = [fair.submit([f"r{n}", f"r{n}"], caller="svc") for n in range(2)]
    question = fair.submit(["q"], caller="svc", urgent=True)
    encoder.release.set()
    for future in [*bulk, question]:
        future.result(5)
    assert encoder.calls[1] == ["q"]  # first after the held call, though it came last


def test_a_shallow_queue_has_no_per_caller_share(encoder: HeldEncoder) -> None:
    # 6 texts cannot hold two batches of 4: one caller may fill it, as before
    assert EmbedBatcher(encoder, max_batch=4, max_queued=6).max_per_caller == 6
