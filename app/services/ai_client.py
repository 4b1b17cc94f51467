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

Requests stay within the AI service's own limits (``GET /api/ai/limits``, read once at
first contact): this service's AI_MAX_TEXTS and AI_MAX_TEXT_CHARS are lowered to the AI
service's, batches are split to its texts per request and body size, and texts are cut to
its characters per text (the models read only their first 256-384 tokens; with the
default 4,000 characters the cut changes nothing). A warning is logged when this
service's limits are higher than the AI service's.
"""

from __future__ import annotations

import json
import logging
import math
import threading
from typing import Any

import httpx
import numpy as np
import numpy.typing as npt
from pydantic import ValidationError

from app.core.breaker import CircuitBreaker, CircuitOpen
from app.schemas.ai import MAX_DIM_SCHEMA as MAX_DIM
from app.schemas.ai import MAX_TEXT_CHARS, MAX_TEXTS, LimitsOut
from app.services.http_deadline import Deadline, deadline_transport
from app.services.query_cache import QueryCache

log = logging.getLogger("app.ai_client")

Vector = npt.NDArray[np.float32]
# The AI service's MAX_BODY_BYTES default: assumed of one too old to publish its limits.
FALLBACK_BODY_BYTES = 256 * 1024
ENVELOPE_BYTES = len(b'{"texts":[]}')
# The largest answer read: 64 vectors of 4,096 dimensions as JSON are about 6 MB.
MAX_ANSWER_BYTES = 8 * 1024 * 1024
MAX_RETRY_AFTER = 60  # seconds; a larger Retry-After from the AI service is cut to this
MAX_NAME_SHOWN = 100  # characters of the AI service's model name quoted in a 503
UNIT_NORM_TOLERANCE = 1e-3  # the AI service's vectors are normalised (cosine = dot product)


def json_bytes(text: str) -> int:
    """Bytes of ``text`` as a JSON string in the body httpx sends (UTF-8, not ASCII-escaped)."""
    return len(json.dumps(text, ensure_ascii=False).encode("utf-8"))


def chunks(texts: list[str], max_texts: int, max_bytes: int) -> list[list[str]]:
    """Consecutive runs of ``texts`` of at most ``max_texts`` texts whose request body
    (``{"texts":[...]}``) stays within ``max_bytes`` (a text too large alone goes alone)."""
    runs: list[list[str]] = []
    current: list[str] = []
    size = ENVELOPE_BYTES
    for text in texts:
        cost = json_bytes(text) + 1  # and its comma
        if current and (len(current) == max_texts or size + cost > max_bytes):
            runs.append(current)
            current, size = [], ENVELOPE_BYTES
        current.append(text)
        size += cost
    if current:
        runs.append(current)
    return runs


class AiServiceUnavailable(RuntimeError):
    """The AI service did not answer, answered badly, or serves another model (503)."""

    def __init__(
        self, message: str, *, retry_after: int | None = None, status: int | None = None
    ) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.status = status  # the AI service's HTTP status, when it answered one


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
        max_texts: int = MAX_TEXTS,
        max_text_chars: int = MAX_TEXT_CHARS,
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
        self.max_texts = max_texts  # this service's AI_MAX_TEXTS
        self.max_text_chars = max_text_chars  # and AI_MAX_TEXT_CHARS
        self._limits: LimitsOut | None = None
        self._limits_lock = threading.Lock()

    @property
    def dim(self) -> int:
        """The model's dimension, as the AI service reports it (asked once)."""
        if self._dim is None:
            answer = self._call("GET", "/api/embeddings/model", timeout=self.timeout)
            self._dim = self._check_model(answer)[1]
        return self._dim

    def limits(self) -> LimitsOut:
        """The limits requests are sent within: this service's, lowered to the AI
        service's (asked once; a failed ask is asked again on the next call)."""
        with self._limits_lock:
            if self._limits is None:
                self._limits = self._agree(self._server_limits())
            return self._limits

    def encode(self, texts: list[str]) -> npt.NDArray[np.float32]:
        """Normalised float32 vectors, one row per text, in request-sized chunks."""
        if not texts:
            return np.zeros((0, self._dim or 0), dtype=np.float32)
        limits = self.limits()
        cut = [text[: limits.max_text_chars] for text in texts]  # the model reads the start
        runs = chunks(cut, limits.max_texts, limits.max_body_bytes)
        return np.concatenate([self._embed(run, self.bulk_timeout) for run in runs])

    def encode_one(self, text: str) -> Vector:
        """One text's vector; recent distinct questions are remembered (``QueryCache``)."""
        return self._questions.through(text, self._question)

    def ping(self) -> None:
        """Raise unless the AI service answers ``/health`` (readiness; bounded by the timeout)."""
        with self._deadline.within(self.timeout):
            answer = self._http.get("/health")
        answer.raise_for_status()

    def close(self) -> None:
        self._http.close()

    def _question(self, text: str) -> Vector:
        # someone waits on it: the AI service serves questions before bulk re-embedding
        headers = {"X-GM-Embed": "question"}
        return self._embed([text[: self.limits().max_text_chars]], self.timeout, headers)[0]

    def _server_limits(self) -> LimitsOut:
        try:
            body = self._call("GET", "/api/ai/limits", timeout=self.timeout)
        except AiServiceUnavailable as error:
            if error.status != 404:
                raise
            log.warning(
                "the AI service at %s does not publish its limits (GET /api/ai/limits: 404, "
                "an older version); sending at most %d texts of %d characters per request",
                self.base_url,
                MAX_TEXTS,
                MAX_TEXT_CHARS,
            )
            return LimitsOut(
                max_texts=MAX_TEXTS,
                max_text_chars=MAX_TEXT_CHARS,
                max_body_bytes=FALLBACK_BODY_BYTES,
            )
        try:
            return LimitsOut.model_validate(body)
        except ValidationError:
            raise self._bad_answer("limits that are not positive integers") from None

    def _agree(self, server: LimitsOut) -> LimitsOut:
        """This service's limits, lowered to ``server``'s (a warning when they were higher)."""
        if self.max_texts > server.max_texts or self.max_text_chars > server.max_text_chars:
            log.warning(
                "this service's AI_MAX_TEXTS=%d and AI_MAX_TEXT_CHARS=%d exceed the AI "
                "service's (%d and %d, at %s): sending at most %d texts per request and "
                "cutting texts to %d characters (a longer text's vector is of its start); "
                "set the same values on both to silence this",
                self.max_texts,
                self.max_text_chars,
                server.max_texts,
                server.max_text_chars,
                self.base_url,
                min(self.max_texts, server.max_texts),
                min(self.max_text_chars, server.max_text_chars),
            )
        return LimitsOut(
            max_texts=min(self.max_texts, server.max_texts),
            max_text_chars=min(self.max_text_chars, server.max_text_chars),
            max_body_bytes=server.max_body_bytes,
        )

    def _embed(
        self, texts: list[str], timeout: float, headers: dict[str, str] | None = None
    ) -> Vector:
        body = self._call(
            "POST", "/api/ai/embed", timeout=timeout, json={"texts": texts}, headers=headers
        )
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
            raise AiServiceUnavailable(
                f"the AI service answered HTTP {answer.status_code}", status=answer.status_code
            )
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
