"""A phase's data plane on loopback: MariaDB, Redis, the fleets' app processes, nginx
rendered from the Plan's ALB listener as the stand-in for the ALB, and nginx rendered from
the Plan's distribution as the stand-in for CloudFront (HTTPS, a local CA) in front of it.

browser -> CDN stand-in (HTTPS) -> ALB stand-in (requires the CDN's X-Origin-Verify) -> apps

The app is only ever started as processes (``python -m app.migrate``, ``python -m app.seed``,
uvicorn with the ``create_app`` factory); nothing here imports it.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from infra.local_services import local_ca, mariadb, redis
from infra.local_services.cdn_nginx import CdnOptions, render_cdn, stage_bucket
from infra.local_services.cdn_routes import Distribution
from infra.local_services.parameters import LOCAL_CACHE_MAXMEMORY, LocalParameters
from infra.local_services.processes import (
    Child,
    StartFailed,
    http_answers,
    http_ok,
    https_ok,
    log_tail,
    spawn,
    stop,
    wait_until,
)
from infra.ports import free_port
from infra.program import REPO_ROOT
from infra.render.alb_nginx import StandInOptions, render_stand_in
from infra.render.alb_routes import Fleet, RoutingTable
from infra.render.nginx import Upstream

MONOLITH_COPIES = 2  # phases 1-3: the web fleet is two app processes behind nginx
# The app's names for the fleets' services (SERVICE_NAME accepts ai-ml too).
SERVICE_NAMES = {"ai-ml": "ai"}
APP_START_SECONDS = 90.0
WORKER_START_SECONDS = 60.0
WORKER_READY = b" ready."  # Celery's line once the worker consumes (and drains the outbox)
MIGRATE_SECONDS = 300.0
SEED_SECONDS = 900.0  # the demo data is embedded once; all-mpnet-base-v2 on 2 cores is slow
HEARTBEAT_SECONDS = 15.0  # a line while a long step runs, so a first start never looks hung
Progress = Callable[[str], None]


@dataclass(frozen=True)
class AppProcess:
    """One app process playing (part of) a fleet."""

    name: str  # the status key: web, auth, matching, ai, analytics; web-1, web-2 for copies
    fleet: Fleet
    service: str  # SERVICE_NAME; empty: the whole app


def app_processes(table: RoutingTable, copies: int = MONOLITH_COPIES) -> list[AppProcess]:
    """The processes that play the fleets the listener reaches.

    A fleet runs the service its user data names. The api fleet names none while it is the
    only fleet (the whole app) and ``web`` (what no service took) once services are split
    off; a split api fleet that names none is taken as ``web`` too. A split fleet gets one
    process; the monolith gets ``copies``.
    """
    fleets = table.fleets()
    split = any(fleet.service for fleet in fleets)
    processes: list[AppProcess] = []
    for fleet in fleets:
        service = SERVICE_NAMES.get(fleet.service, fleet.service)
        if not service and split and fleet.role == "api":
            service = "web"
        name = service or "web"
        count = 1 if split else copies
        for index in range(1, count + 1):
            label = name if count == 1 else f"{name}-{index}"
            processes.append(AppProcess(label, fleet, service))
    names = [p.name for p in processes]
    if len(set(names)) != len(names):
        raise ValueError(f"two fleets would run the same service: {', '.join(names)}")
    return processes


def shard_databases(table: RoutingTable) -> tuple[str, ...]:
    """``gm`` (the writer, shard 0) and ``gm_shard_N`` for the plan's further shards."""
    count = max((fleet.shards for fleet in table.fleets()), default=0)
    return ("gm", *(f"gm_shard_{index}" for index in range(1, count)))


@dataclass
class Running:
    """A started child and what the state file says about it."""

    child: Child
    kind: str  # app, nginx, cdn, mariadb, redis
    health: str = ""  # the HTTP path probed (app, nginx)
    service: str = ""
    fleet: str = ""


@dataclass
class LocalStack:
    phase: int
    stack: str
    table: RoutingTable
    state_dir: Path
    port: int
    model: str | None  # EMBEDDING_MODEL for every app process; None: the app's default
    environ: Mapping[str, str]
    progress: Progress
    parameters: LocalParameters | None = None  # the Plan's parameter groups; None: defaults
    distribution: Distribution | None = None  # the Plan's CloudFront; None: no CDN stand-in
    cdn_port: int = 0  # the CDN stand-in's HTTPS port (its HTTP redirect takes a free one)
    running: list[Running] = field(default_factory=list)
    # X-Origin-Verify here: the CDN stand-in sends it, the ALB stand-in's rules require it
    origin_verify: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    on_change: Callable[[], None] = lambda: None  # after each process starts or stops

    def _add(self, item: Running) -> None:
        self.running.append(item)
        self.on_change()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def cdn_url(self) -> str | None:
        return f"https://127.0.0.1:{self.cdn_port}" if self.distribution else None

    @property
    def ca(self) -> Path:
        return self.state_dir / "cdn" / "tls" / "ca.pem"

    def viewer_origins(self) -> list[str]:
        """The origins a browser sends through the CDN stand-in (TRUSTED_ORIGINS)."""
        if not self.distribution:
            return []
        return [f"https://{host}:{self.cdn_port}" for host in ("127.0.0.1", "localhost")]

    def start(self) -> None:
        """Everything, in order; on any failure stop what was started and raise StartFailed."""
        try:
            env = self._data_plane()
            self._prepare(env)
            self._start_apps(env)
            self._start_worker(env)
            self._start_nginx()
            if self.distribution:
                self._start_cdn()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """nginx first (no new requests), then the apps, then Redis and MariaDB."""
        order = {"cdn": 0, "nginx": 1, "app": 2, "worker": 2, "redis": 3, "mariadb": 4}
        for item in sorted(self.running, key=lambda r: order[r.kind]):
            stop(item.child)
        self.running.clear()

    def _data_plane(self) -> dict[str, str]:
        env = dict(self.environ)
        for variable in ("SERVICE_NAME", "AI_SERVICE_URL"):
            env.pop(variable, None)
        if env.get("DATABASE_URL"):
            self.progress("database: DATABASE_URL from the environment")
        else:
            names = shard_databases(self.table)
            folder = self.state_dir / "mariadb"
            charset = self.parameters.charset if self.parameters else ""
            collation = self.parameters.collation if self.parameters else ""
            created = mariadb.bootstrap(folder, charset, collation)
            self.progress(f"mariadb: {'bootstrapped' if created else 'reusing'} {folder}")
            server = mariadb.start(
                folder,
                free_port(),
                names,
                options=tuple(self.parameters.mariadb_args(folder)) if self.parameters else (),
                charset=charset,
                collation=collation,
            )
            self._add(Running(server.child, "mariadb"))
            self.progress(f"mariadb: 127.0.0.1:{server.port}, databases {', '.join(names)}")
            env.pop("DATABASE_URL_READ", None)  # no replica here; reads go to the writer
            env["DATABASE_URL"] = server.url(names[0])
            env["DATABASE_SHARD_URLS"] = (
                ",".join(server.url(name) for name in names) if len(names) > 1 else ""
            )
        if env.get("REDIS_URL"):
            self.progress("redis: REDIS_URL from the environment")
        else:
            # Two servers, as the stacks deploy two groups: the cache evicts by the Plan's
            # policy, the sessions never.
            cache_settings: tuple[tuple[str, str], ...] = ()
            session_settings: tuple[tuple[str, str], ...] = ()
            if self.parameters:
                cache_settings = (
                    ("maxmemory", LOCAL_CACHE_MAXMEMORY),
                    *((p.name, p.value) for p in self.parameters.redis_cache if p.applied),
                )
                session_settings = tuple(
                    (p.name, p.value) for p in self.parameters.redis_sessions if p.applied
                )
            cache = redis.start(self.state_dir / "redis", free_port(), settings=cache_settings)
            self._add(Running(cache.child, "redis"))
            self.progress(f"redis: 127.0.0.1:{cache.port}")  # the cache
            sessions = redis.start(
                self.state_dir / "redis",
                free_port(),
                settings=session_settings,
                name="redis-sessions",
            )
            self._add(Running(sessions.child, "redis"))
            self.progress(f"redis-sessions: 127.0.0.1:{sessions.port}")
            for variable in ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"):
                env.pop(variable, None)
            env["REDIS_URL"] = cache.url(0)
            env["SESSION_REDIS_URL"] = sessions.url(0)
        env.setdefault("SESSION_SECRET", secrets.token_urlsafe(32))
        # One migration and one seed before the apps start: they must not race at start-up.
        env["AUTO_MIGRATE"] = "false"
        env["DEMO_DATA"] = "false"
        # The worker embeds posted jobs (the outbox), as the worker fleet (phase 1: the api
        # instance's Celery unit) does on AWS; Redis is the broker.
        env["EMBED_MODE"] = "celery"
        # The ALB forwards its own host name in Host: the CDN's origins are named, as the
        # stacks name the distribution's and the custom domain's.
        if self.viewer_origins():
            env["TRUSTED_ORIGINS"] = ",".join(self.viewer_origins())
        env["METRICS_PHASE"] = str(self.phase)
        env["METRICS_STACK"] = f"local-{self.stack}"
        if self.model:
            env["EMBEDDING_MODEL"] = self.model
        env["PYTHONUNBUFFERED"] = "1"
        return env

    def _prepare(self, env: dict[str, str]) -> None:
        self.progress("migrations: python -m app.migrate")
        self._run_once("migrate", [sys.executable, "-m", "app.migrate"], env, MIGRATE_SECONDS)
        model = self.model or "the app's default model"
        self.progress(f"demo data: python -m app.seed (embedding with {model})")
        self._run_once("seed", [sys.executable, "-m", "app.seed"], env, SEED_SECONDS)

    def _run_once(self, name: str, argv: list[str], env: dict[str, str], timeout: float) -> None:
        child = spawn(name, argv, log=self._log(name), env=env, cwd=REPO_ROOT)
        item = Running(child, "app")
        self._add(item)
        began = time.monotonic()
        next_note = began + HEARTBEAT_SECONDS
        while child.running():
            now = time.monotonic()
            if now > began + timeout:
                raise StartFailed(child, f"{name}: not done within {timeout:.0f} s")
            if now > next_note:
                self.progress(f"{name}: still running ({now - began:.0f} s)")
                next_note = now + HEARTBEAT_SECONDS
            time.sleep(0.2)
        self.running.remove(item)
        self.on_change()
        if child.process.returncode != 0:
            raise StartFailed(child, f"{name}: exited with code {child.process.returncode}")

    def _start_apps(self, env: dict[str, str]) -> None:
        processes = app_processes(self.table)
        ports = {p.name: free_port() for p in processes}
        ai = next((p for p in processes if p.service == "ai"), None)
        # The AI service first: the services that call it probe it on start, and a refusal
        # would open their circuit breakers for a cool-down (503 on match just after "up").
        waves = [[ai], [p for p in processes if p is not ai]] if ai else [processes]
        count = 0
        for wave in waves:
            started = [self._spawn_app(process, env, ports, ai) for process in wave]
            self._wait_healthy(started)
            count += len(started)
        self.progress(f"apps: {count} processes healthy")

    def _start_worker(self, env: dict[str, str]) -> None:
        """The Celery worker, with the command its systemd unit runs on AWS
        (templates/userdata/green-matchers-worker.service.j2), one process."""
        worker_env = dict(env)
        worker_env["METRICS_SERVICE"] = "worker"
        ai = next((item for item in self.running if item.service == "ai"), None)
        if ai is not None and ai.child.port:  # phase 4: it embeds through the AI service
            worker_env["AI_SERVICE_URL"] = f"http://127.0.0.1:{ai.child.port}"
        log = self._log("worker")
        log.parent.mkdir(parents=True, exist_ok=True)
        start = log.stat().st_size if log.exists() else 0
        child = spawn(
            "worker",
            [
                *(sys.executable, "-m", "celery", "--app", "app.worker.celery_app:celery_app"),
                *("worker", "--loglevel", "INFO", "--concurrency", "1"),
                *("--hostname", f"gm-{self.stack}@%h"),
            ],
            log=log,
            env=worker_env,
            cwd=REPO_ROOT,
        )
        self._add(Running(child, "worker", fleet="worker"))
        self.progress(f"worker: starting (pid {child.pid})")

        def ready() -> bool:
            with open(log, "rb") as handle:
                handle.seek(start)
                return WORKER_READY in handle.read()

        wait_until(ready, child, WORKER_START_SECONDS, "the Celery worker")
        self.progress("worker: ready (draining the outbox)")

    def _spawn_app(
        self,
        process: AppProcess,
        env: dict[str, str],
        ports: dict[str, int],
        ai: AppProcess | None,
    ) -> Running:
        app_env = dict(env)
        if process.service:
            app_env["SERVICE_NAME"] = process.service
        if ai is not None:  # the Lattice service's stand-in: the AI process itself
            app_env["AI_SERVICE_URL"] = f"http://127.0.0.1:{ports[ai.name]}"
        app_env["METRICS_SERVICE"] = process.service or "api"
        port = ports[process.name]
        child = spawn(
            process.name,
            [
                *(sys.executable, "-m", "uvicorn", "--factory", "app.main:create_app"),
                *("--host", "127.0.0.1", "--port", str(port)),
            ],
            log=self._log(process.name),
            env=app_env,
            cwd=REPO_ROOT,
            port=port,
        )
        item = Running(child, "app", process.fleet.health_path, process.service, process.fleet.name)
        self._add(item)
        self.progress(f"{process.name}: starting on 127.0.0.1:{port} (pid {child.pid})")
        return item

    def _wait_healthy(self, started: list[Running]) -> None:
        # Probed in turn on this thread, so a Ctrl-C while they start is handled at once.
        pending = list(started)
        deadline = time.monotonic() + APP_START_SECONDS
        while pending:
            for item in list(pending):
                if http_ok(item.child.port or 0, item.health, timeout=1.0):
                    pending.remove(item)
                    self.progress(f"{item.child.name}: healthy")
                elif not item.child.running():
                    code = item.child.process.returncode
                    raise StartFailed(item.child, f"{item.child.name}: exited with code {code}")
            if pending and time.monotonic() > deadline:
                raise StartFailed(
                    pending[0].child,
                    f"{pending[0].child.name}: not healthy within {APP_START_SECONDS:.0f} s",
                )
            time.sleep(0.2)

    def _start_nginx(self) -> None:
        binary = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
        if binary is None:
            raise RuntimeError("nginx is not installed (apt-get install -y nginx)")
        runtime = self.state_dir / "nginx"
        runtime.mkdir(parents=True, exist_ok=True)
        servers: dict[str, list[Upstream]] = {}
        for item in self.running:
            if item.kind == "app" and item.child.port:
                servers.setdefault(item.fleet, []).append(Upstream("127.0.0.1", item.child.port))
        config = render_stand_in(
            StandInOptions(
                stack=self.stack,
                table=self.table,
                servers={fleet: tuple(found) for fleet, found in servers.items()},
                listen=f"127.0.0.1:{self.port}",
                runtime_dir=str(runtime),
                header_value=self.origin_verify,
            )
        )
        conf = runtime / "nginx.conf"
        conf.write_text(config)
        child = spawn(
            "nginx",
            [
                *(binary, "-p", str(runtime), "-e", str(runtime / "error.log")),
                *("-c", str(conf), "-g", "daemon off;"),
            ],
            log=runtime / "nginx.log",
            port=self.port,
            stop_signal=signal.SIGQUIT,  # nginx's graceful shutdown
        )
        health = self.table.fleets()[0].health_path if self.table.fleets() else "/"
        self._add(Running(child, "nginx", health))
        wait_until(
            lambda: http_answers(self.port, health), child, 20, f"nginx on 127.0.0.1:{self.port}"
        )
        self.progress(
            f"nginx: {self.url} routes the Plan's {len(self.table.rules)} listener rule(s)"
        )

    def _start_cdn(self) -> None:
        assert self.distribution is not None
        binary = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
        runtime = self.state_dir / "cdn"
        runtime.mkdir(parents=True, exist_ok=True)
        tls = local_ca.issue(runtime / "tls")
        bucket = runtime / "bucket"
        stage_bucket(self.distribution, bucket)
        alb = next(
            (b.origin for b in self.distribution.behaviours if b.origin.kind == "custom"), None
        )
        config = render_cdn(
            CdnOptions(
                distribution=self.distribution,
                origins={alb.origin_id: f"127.0.0.1:{self.port}"} if alb else {},
                header_values={name: self.origin_verify for name, _ in alb.headers} if alb else {},
                https_listen=f"127.0.0.1:{self.cdn_port}",
                http_listen=f"127.0.0.1:{free_port()}",
                tls=tls,
                bucket_dir=bucket,
                runtime_dir=str(runtime),
                worker_user="root" if os.geteuid() == 0 else None,
            )
        )
        conf = runtime / "nginx.conf"
        conf.write_text(config)
        child = spawn(
            "cdn",
            [
                *(str(binary), "-p", str(runtime), "-e", str(runtime / "error.log")),
                *("-c", str(conf), "-g", "daemon off;"),
            ],
            log=runtime / "nginx.log",
            port=self.cdn_port,
            stop_signal=signal.SIGQUIT,
        )
        health = self.table.fleets()[0].health_path if self.table.fleets() else "/"
        self._add(Running(child, "cdn", health))
        wait_until(
            lambda: https_ok(self.cdn_port, health, self.ca),
            child,
            20,
            f"the CDN stand-in on 127.0.0.1:{self.cdn_port}",
        )
        self.progress(f"cdn: {self.cdn_url} plays {self.distribution.name} (CA {self.ca})")

    def _log(self, name: str) -> Path:
        return self.state_dir / "logs" / f"{name}.log"


def failure_report(error: StartFailed) -> str:
    """What failed and the end of its log."""
    tail = log_tail(error.child.log)
    return f"{error}\n--- {error.child.log} (last lines) ---\n{tail}" if tail else str(error)
