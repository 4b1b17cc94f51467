"""The client of the AI service (``POST /api/ai/embed``), as the matching and web services
and the worker use it when ``AI_SERVICE_URL`` is set.

It has the interface of an in-process embedder (``name``, ``dim``, ``encode``,
``encode_one``), so matching and the embedding updates do not care where vectors come from.

Every call is bounded by a short timeout for the whole call (a server dripping bytes
cannot stretch it; see ``http_deadline``) and its answer by MAX_ANSWER_BYTES, and a circuit
breaker (``app/core/breaker.py``)
skips the AI service for ``cool_down`` seconds after it timed out, refused or failed: an
outage costs one timeout, then callers are answered at once. The model the AI service
reports must be the one this service was configured with (the vectors in the database are
stored per model name); a different one is refused, never mixed in.
"""

from __future__ import annotations

import json
import logging
import math
from typing import Any

import httpx
import numpy as np
import numpy.typing as npt

from app.core.breaker import CircuitBreaker, CircuitOpen
from app.schemas.ai import MAX_DIM_SCHEMA as MAX_DIM
from app.schemas.ai import MAX_TEXT_CHARS
from app.services.http_deadline import Deadline, deadline_transport
from app.services.query_cache import QueryCache

log = logging.getLogger("app.ai_client")

Vector = npt.NDArray[np.float32]
REQUEST_TEXTS = 64  # texts per embed request: the AI service's default limit
# Characters per request: escaped as JSON (\uXXXX at worst) it stays under the 256 KB
# MAX_BODY_BYTES of the AI service.
REQUEST_CHARS = 30_000
# The largest answer read: 64 vectors of 4,096 dimensions as JSON are about 6 MB.
MAX_ANSWER_BYTES = 8 * 1024 * 1024
MAX_RETRY_AFTER = 60  # seconds; a larger Retry-After from the AI service is cut to this
MAX_NAME_SHOWN = 100  # characters of the AI service's model name quoted in a 503
UNIT_NORM_TOLERANCE = 1e-3  # the AI service's vectors are normalised (cosine = dot product)


def chunks(texts: list[str]) -> list[list[str]]:
    """Consecutive runs of ``texts`` of at most ``REQUEST_TEXTS`` texts and
    ``REQUEST_CHARS`` characters (a longer text goes alone)."""
    runs: list[list[str]] = []
    current: list[str] = []
    size = 0
    for text in texts:
        if current and (len(current) == REQUEST_TEXTS or size + len(text) > REQUEST_CHARS):
            runs.append(current)
            current, size = [], 0
        current.append(text)
        size += len(text)
    if current:
        runs.append(current)
    return runs


class AiServiceUnavailable(RuntimeError):
    """The AI service did not answer, answered badly, or serves another model (503)."""

    def __init__(self, message: str, *, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class AiClient:
    """Embeds texts with the AI service at ``base_url``; thread-safe."""

    def __init__(
        self,
        base_url: str,
        *,
        model_name: str,
        timeout: float = 1.0,
        bulk_timeout: float = 60.0,
        auth: httpx.Auth | None = None,
        cool_down: float = 5.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.name = model_name  # the model this caller's vectors are for
        self.breaker = CircuitBreaker("ai service", cool_down=cool_down)
        self.timeout = timeout  # a question (encode_one): someone is waiting
        self.bulk_timeout = bulk_timeout  # rows being (re)embedded: a whole batch
        self._deadline = Deadline()
        self._http = httpx.Client(
            base_url=self.base_url,
            timeout=httpx.Timeout(timeout),  # per socket operation; _call bounds the call
            auth=auth,
            transport=transport or deadline_transport(self._deadline),
            # Identity: a compressed answer could expand far beyond MAX_ANSWER_BYTES.
            headers={"Accept": "application/json", "Accept-Encoding": "identity"},
        )
        self._dim: int | None = None
        self._questions = QueryCache()

    @property
    def dim(self) -> int:
        """The model's dimension, as the AI service reports it (asked once)."""
        if self._dim is None:
            answer = self._call("GET", "/api/embeddings/model", timeout=self.timeout)
            self._dim = self._check_model(answer)[1]
        return self._dim

    def encode(self, texts: list[str]) -> npt.NDArray[np.float32]:
        """Normalised float32 vectors, one row per text, in request-sized chunks."""
        if not texts:
            return np.zeros((0, self._dim or 0), dtype=np.float32)
        cut = [text[:MAX_TEXT_CHARS] for text in texts]  # the model reads only the start
        return np.concatenate([self._embed(run, self.bulk_timeout) for run in chunks(cut)])

    def encode_one(self, text: str) -> Vector:
        """One text's vector; recent distinct questions are remembered (``QueryCache``)."""
        return self._questions.through(
            text, lambda question: self._embed([question[:MAX_TEXT_CHARS]], self.timeout)[0]
        )

    def ping(self) -> None:
        """Raise unless the AI service answers ``/health`` (readiness; bounded by the timeout)."""
        with self._deadline.within(self.timeout):
            answer = self._http.get("/health")
        answer.raise_for_status()

    def close(self) -> None:
        self._http.close()

    def _embed(self, texts: list[str], timeout: float) -> Vector:
        body = self._call("POST", "/api/ai/embed", timeout=timeout, json={"texts": texts})
        _, dim = self._check_model(body)
        try:
            with np.errstate(over="ignore"):  # too large for float32: inf, refused below
                vectors = np.asarray(body["embeddings"], dtype=np.float32)
        except (KeyError, TypeError, ValueError):
            raise self._bad_answer("embeddings that are not a list of vectors") from None
        if vectors.shape != (len(texts), dim) or not np.isfinite(vectors).all():
            raise self._bad_answer(
                f"embeddings of shape {vectors.shape}, expected ({len(texts)}, {dim})"
            )
        norms = np.linalg.norm(vectors, axis=1)
        if not np.allclose(norms, 1.0, atol=UNIT_NORM_TOLERANCE):
            raise self._bad_answer("embeddings that are not unit vectors")
        return vectors

    def _check_model(self, body: dict[str, Any]) -> tuple[str, int]:
        model, dim = body.get("model"), body.get("dim")
        if not isinstance(model, str) or type(dim) is not int or not 1 <= dim <= MAX_DIM:
            raise self._bad_answer("no model name and dimension")
        if model != self.name:
            raise AiServiceUnavailable(
                f"the AI service serves model {model[:MAX_NAME_SHOWN]!r}, but this service's "
                f"vectors are for {self.name!r}; set the same EMBEDDING_MODEL on both"
            )
        self._dim = dim
        return model, dim

    def _bad_answer(self, what: str) -> AiServiceUnavailable:
        self.breaker.record_failure("bad answer")
        return AiServiceUnavailable(f"the AI service answered {what}")

    def _call(self, method: str, path: str, *, timeout: float, **kwargs: Any) -> dict[str, Any]:
        """The AI service's JSON object answer, within ``timeout`` seconds in all."""
        try:
            self.breaker.check()
        except CircuitOpen as error:
            raise AiServiceUnavailable(
                f"the AI service is unavailable ({error.cause}); try again shortly",
                retry_after=max(1, math.ceil(self.breaker.cool_down)),
            ) from None
        try:
            with (
                self._deadline.within(timeout),
                self._http.stream(method, path, timeout=timeout, **kwargs) as answer,
            ):
                self._check_status(answer)
                raw = self._read_capped(answer)
        except httpx.TimeoutException:
            self.breaker.record_failure("timeout")
            raise AiServiceUnavailable("the AI service did not answer in time") from None
        except httpx.HTTPError as error:
            cause = "refused" if isinstance(error, httpx.ConnectError) else "unreachable"
            self.breaker.record_failure(cause)
            raise AiServiceUnavailable(f"the AI service is unreachable ({cause})") from None
        try:
            body = json.loads(raw)
        except (ValueError, RecursionError):  # RecursionError: nested too deep to parse
            raise self._bad_answer("a body that is not JSON") from None
        if not isinstance(body, dict):
            raise self._bad_answer("a body that is not a JSON object")
        self.breaker.record_success()
        return body

    def _check_status(self, answer: httpx.Response) -> None:
        """Raise AiServiceUnavailable unless the answer is a 200 (body not read yet)."""
        if answer.status_code == 429:  # busy, not broken: the breaker stays closed
            self.breaker.record_success()
            wait = answer.headers.get("Retry-After", "1")
            seconds = min(int(wait), MAX_RETRY_AFTER) if wait.isdigit() else 1
            raise AiServiceUnavailable(
                "the AI service is busy; try again shortly", retry_after=max(1, seconds)
            )
        if answer.status_code >= 500:
            self.breaker.record_failure(f"HTTP {answer.status_code}")
            raise AiServiceUnavailable(f"the AI service answered HTTP {answer.status_code}")
        if answer.status_code != 200:  # it answers, but refused this request
            self.breaker.record_success()
            raise AiServiceUnavailable(f"the AI service answered HTTP {answer.status_code}")
        encoding = answer.headers.get("Content-Encoding", "identity").strip().lower()
        if encoding != "identity":
            raise self._bad_answer(f"a body encoded as {encoding[:20]!r} (identity was asked)")

    def _read_capped(self, answer: httpx.Response) -> bytes:
        """The body, refused once it passes MAX_ANSWER_BYTES (declared or received)."""
        declared = answer.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > MAX_ANSWER_BYTES:
            raise self._bad_answer(f"a body of {declared} bytes (at most {MAX_ANSWER_BYTES})")
        parts: list[bytes] = []
        size = 0
        for part in answer.iter_raw():
            size += len(part)
            if size > MAX_ANSWER_BYTES:
                raise self._bad_answer(f"a body of more than {MAX_ANSWER_BYTES} bytes")
            parts.append(part)
        return b"".join(parts)
