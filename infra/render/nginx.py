"""nginx configs from ``templates/nginx/``: the self-hosted load balancer, the instance proxy.

Both render a complete ``nginx.conf``. ``lb`` is the source document's load balancer
(least_conn, weighted servers, keepalive 32, 60 s timeouts); ``proxy`` runs on each EC2
instance on the ALB's target port in front of the app's uvicorn workers.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import jinja2

Kind = Literal["lb", "proxy"]
KINDS: tuple[Kind, ...] = ("lb", "proxy")
TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "templates" / "nginx"
LABEL = r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
HOSTNAME = re.compile(rf"(?=.{{1,253}}$){LABEL}(\.{LABEL})*")
SERVER_NAME = re.compile(r"[A-Za-z0-9_.*-]+")
PRIVATE_NETWORKS = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")
DEFAULT_LISTEN: dict[Kind, str] = {"lb": "80", "proxy": "8000"}
DEFAULT_SERVERS: dict[Kind, tuple[str, ...]] = {"lb": (), "proxy": ("127.0.0.1:8001",)}


@dataclass(frozen=True)
class Upstream:
    """One ``server`` line of an upstream block."""

    host: str
    port: int
    weight: int = 1

    @property
    def address(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


@dataclass(frozen=True)
class Tls:
    cert: str
    key: str


@dataclass(frozen=True)
class NginxOptions:
    """Everything a rendered nginx.conf depends on."""

    kind: Kind
    servers: tuple[Upstream, ...]
    listen: str = ""  # empty: 80 for lb, 8000 for proxy
    tls: Tls | None = None
    tls_listen: str = "443"
    server_name: str = "_"
    runtime_dir: str | None = None  # pid, logs and temp files here instead of the system paths
    static_root: str = "/opt/green-matchers/src/app/static"
    trusted_proxies: tuple[str, ...] = PRIVATE_NETWORKS
    rate_per_second: int = 50
    burst: int = 100
    max_body: str = "10m"


def check_host(host: str) -> str:
    """``host`` if it is an IP address or a DNS name, else ValueError."""
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    if not HOSTNAME.fullmatch(host):
        raise ValueError(f"{host!r} is not an IP address or host name")
    return host


def parse_port(text: str, what: str = "port") -> int:
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise ValueError(f"{what} {text!r} is not a number from 1 to 65535")
    return int(text)


def parse_server(spec: str) -> Upstream:
    """``HOST:PORT[:WEIGHT]`` (``[v6]:PORT[:WEIGHT]`` for IPv6) to an Upstream."""
    if spec.startswith("["):
        host, sep, rest = spec[1:].partition("]:")
        parts = [host, *rest.split(":")] if sep else [spec]
    else:
        parts = spec.split(":")
    if len(parts) not in (2, 3) or not all(parts):
        raise ValueError(f"server {spec!r} is not HOST:PORT or HOST:PORT:WEIGHT")
    host = check_host(parts[0])
    port = parse_port(parts[1])
    weight = 1
    if len(parts) == 3:
        if not parts[2].isdigit() or not 1 <= int(parts[2]) <= 1000:
            raise ValueError(f"weight {parts[2]!r} of {spec!r} is not a number from 1 to 1000")
        weight = int(parts[2])
    return Upstream(host, port, weight)


def parse_listen(spec: str) -> str:
    """``PORT`` or ``HOST:PORT`` as nginx's ``listen`` wants it."""
    host, sep, port = spec.rpartition(":")
    parse_port(port, "listen port")
    if not sep:
        return port
    host = host[1:-1] if host.startswith("[") else host
    return Upstream(check_host(host), int(port)).address


def check_options(options: NginxOptions) -> None:
    """ValueError naming the first bad option."""
    if options.kind not in KINDS:
        raise ValueError(f"kind {options.kind!r} is not one of {', '.join(KINDS)}")
    if not options.servers:
        raise ValueError("at least one upstream server is needed")
    if not SERVER_NAME.fullmatch(options.server_name):
        raise ValueError(f"server name {options.server_name!r} is not a host name")
    for cidr in options.trusted_proxies:
        ipaddress.ip_network(cidr)
    if options.rate_per_second < 1 or options.burst < 0:
        raise ValueError("the rate limit must be at least 1 r/s and the burst at least 0")


def template_environment() -> jinja2.Environment:
    """The jinja environment of ``templates/nginx/`` (strict: a missing value is an error)."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )


def render_nginx(options: NginxOptions) -> str:
    """A complete nginx.conf for ``options.kind``."""
    check_options(options)
    env = template_environment()
    listen = parse_listen(options.listen or DEFAULT_LISTEN[options.kind])
    tls_listen = parse_listen(options.tls_listen)
    return env.get_template(f"{options.kind}.conf.j2").render(
        o=options, listen=listen, tls_listen=tls_listen
    )
