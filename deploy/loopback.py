"""The production layout of ``deploy/`` on one machine's loopback, for tests and benchmarks.

``tests/e2e/test_multi_server.py`` and ``bench/checkin.py --servers N`` start the
shipped files themselves, changing only ports and paths:

- app servers: the ``ExecStart=`` of ``deploy/systemd/hadir@.service`` with ``%i`` set
  to a free port, ``${VAR}`` taken from the environment file, ``/opt/hadir`` replaced by
  this checkout and ``/opt/hadir/.venv`` by the running virtualenv; the environment is
  what systemd would give (``PATH``, ``LANG``) plus the keys of
  ``deploy/systemd/hadir.env.example`` with the caller's values;
- the load balancer: ``deploy/nginx/hadir.conf`` with its listen ports, certificate,
  log, include and webroot paths and the upstream addresses replaced
  (:func:`render_site`), inside a minimal top-level ``nginx.conf`` that keeps every
  file nginx writes in a temporary folder (:func:`render_nginx`).  Each replacement
  must find its text, so a change to the shipped files that the tests no longer
  exercise fails loudly instead of being skipped.

Nothing here listens anywhere but 127.0.0.1.
"""
from __future__ import annotations

import getpass
import http.client
import os
import re
import shlex
import signal
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
UNIT = DEPLOY / "systemd" / "hadir@.service"
ENV_EXAMPLE = DEPLOY / "systemd" / "hadir.env.example"
SITE = DEPLOY / "nginx" / "hadir.conf"
PROXY_SNIPPET = DEPLOY / "nginx" / "hadir-proxy.conf"
CRON = DEPLOY / "cron" / "hadir"
BACKUP_CRON = DEPLOY / "cron" / "hadir-backup"
HADIR_FLASK = DEPLOY / "hadir-flask"
HADIR_BACKUP = DEPLOY / "hadir-backup"
#: Where the shipped files expect the release (replaced by this checkout).
PRODUCTION_HOME = "/opt/hadir"
#: What systemd puts in a service's environment besides its EnvironmentFile.
SYSTEMD_BASE_ENV = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8"}


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port free on ``host`` right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def read_env_file(path: Path = ENV_EXAMPLE) -> dict[str, str]:
    """``KEY=value`` lines of a systemd ``EnvironmentFile`` (comments and blank lines skipped).

    :raises ValueError: a line that is neither (the file must stay readable by sh too).
    """
    values = {}
    for number, line in enumerate(path.read_text().splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        match = re.fullmatch(r"([A-Z_][A-Z0-9_]*)=(\S*)", line)
        if not match:
            raise ValueError(f"{path}:{number}: not KEY=value without spaces: {line!r}")
        values[match.group(1)] = match.group(2)
    return values


def write_env_file(path: Path, values: dict[str, str]) -> Path:
    """Write ``values`` as an environment file (``KEY=value`` lines)."""
    path.write_text("".join(f"{k}={v}\n" for k, v in values.items()))
    return path


def service_env(values: dict[str, str]) -> dict[str, str]:
    """The environment systemd gives ``hadir@.service``: its base plus the environment file's ``values``."""
    return {**SYSTEMD_BASE_ENV, **values}


def _localise(text: str, venv: Path) -> str:
    """Shipped paths → this checkout (``/opt/hadir/.venv`` → the running virtualenv)."""
    return text.replace(f"{PRODUCTION_HOME}/.venv", str(venv)).replace(PRODUCTION_HOME, str(ROOT))


def unit_command(port: int, env: dict[str, str], *, venv: Path | None = None) -> tuple[list[str], Path]:
    """``(argv, working directory)`` of ``hadir@<port>.service`` as systemd would run it here.

    ``%i`` → ``port``; ``${VAR}`` → ``env[VAR]``; production paths → this checkout.
    :raises KeyError: the unit uses a variable ``env`` lacks.
    """
    venv = Path(venv or sys.prefix)
    service = UNIT.read_text().split("[Service]", 1)[1].split("\n[", 1)[0]
    fields = dict(re.findall(r"^(ExecStart|WorkingDirectory)=(.+)$", service, re.M))
    line = fields["ExecStart"].replace("%i", str(port))
    line = re.sub(r"\$\{([A-Z_][A-Z0-9_]*)\}", lambda m: env[m.group(1)], line)
    return shlex.split(_localise(line, venv)), Path(_localise(fields["WorkingDirectory"], venv))


def cron_commands(path: Path = CRON) -> list[tuple[str, list[str]]]:
    """The active lines of a cron file of ``deploy/cron`` as ``(schedule, argv)``, user field dropped."""
    commands = []
    for line in path.read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#") or re.match(r"^[A-Z_]+=", line):
            continue
        parts = line.split()
        schedule, _user, command = " ".join(parts[:5]), parts[5], parts[6:]
        commands.append((schedule, command))
    return commands


def hadir_flask_env(env_file: Path, *, venv: Path | None = None) -> dict[str, str]:
    """Environment for ``deploy/hadir-flask`` (and the cron lines) against this checkout and ``env_file``."""
    return {**SYSTEMD_BASE_ENV, "HADIR_HOME": str(ROOT), "HADIR_ENV": str(env_file),
            "HADIR_VENV": str(Path(venv or sys.prefix))}


def localise_command(argv: list[str], paths: dict[str, str] | None = None) -> list[str]:
    """A shipped command line (cron) with production paths replaced by this checkout's, and
    each argument found in ``paths`` (e.g. the backup folder) by its value."""
    return [(paths or {}).get(a) or _localise(a, Path(sys.prefix)) for a in argv]


# --- nginx -------------------------------------------------------------------------------

def _replace(text: str, old: str, new: str, what: str) -> str:
    if old not in text:
        raise ValueError(f"{what}: {old!r} not found: the shipped nginx files changed, update deploy/loopback.py")
    return text.replace(old, new)


def render_site(upstreams: list[int], *, http_port: int, https_port: int, cert: Path, key: Path,
                folder: Path) -> str:
    """``deploy/nginx/hadir.conf`` for loopback: only ports and paths differ.

    - the ``server`` lines of ``upstream hadir_app`` → one line ``127.0.0.1:<port>`` per
      port of ``upstreams``, with the parameters of the first shipped line (``max_fails`` ...);
    - ``listen 80`` / ``listen 443 ssl http2`` → ``127.0.0.1:<http_port>`` / ``<https_port>``,
      the IPv6 listens dropped (loopback only);
    - certificate, log, webroot and include paths → ``cert``, ``key``, ``folder``, this checkout.
    """
    text = SITE.read_text()
    block = re.search(r"upstream hadir_app \{(.*?)\n\}", text, re.S)
    if block is None:
        raise ValueError("deploy/nginx/hadir.conf has no 'upstream hadir_app' block")
    lines = re.findall(r"^([ \t]*)server[ \t]+(\S+?)([ \t][^;\n]*)?;[ \t]*$", block.group(1), re.M)
    if not lines:
        raise ValueError("upstream hadir_app lists no server")
    indent, _, params = lines[0]
    servers = "".join(f"\n{indent}server 127.0.0.1:{port}{params or ''};" for port in upstreams)
    body = re.sub(r"^[ \t]*server[ \t]+\S+?([ \t][^;\n]*)?;[ \t]*\n?", "", block.group(1), flags=re.M).rstrip()
    text = text.replace(block.group(0), f"upstream hadir_app {{{body}{servers}\n}}")
    text = _replace(text, "listen 80;", f"listen 127.0.0.1:{http_port};", "http listen")
    text = _replace(text, "listen [::]:80;\n", "", "http listen (IPv6)")
    text = _replace(text, "listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;", "https listen")
    text = _replace(text, "listen [::]:443 ssl http2;\n", "", "https listen (IPv6)")
    text = _replace(text, "/etc/letsencrypt/live/hadir.example.org/fullchain.pem", str(cert), "certificate")
    text = _replace(text, "/etc/letsencrypt/live/hadir.example.org/privkey.pem", str(key), "certificate key")
    text = _replace(text, "/var/log/nginx/", f"{folder}/", "log paths")
    text = _replace(text, "/var/www/letsencrypt", str(folder / "acme"), "webroot")
    text = _replace(text, "/etc/nginx/snippets/hadir-proxy.conf", str(PROXY_SNIPPET), "proxy snippet")
    return text


def render_nginx(folder: Path, upstreams: list[int], *, http_port: int, https_port: int,
                 cert: Path, key: Path) -> Path:
    """Write ``folder/nginx.conf`` (top level, Debian's ``http`` defaults) including the rendered site.

    Everything nginx writes (pid, logs, temporary bodies) stays in ``folder``; one worker
    process, so round robin alternates strictly.  Returns the path of ``nginx.conf``.
    """
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "acme").mkdir(exist_ok=True)
    site = folder / "hadir.conf"
    site.write_text(render_site(upstreams, http_port=http_port, https_port=https_port, cert=cert, key=key,
                                folder=folder))
    temp = "\n".join(f"    {name}_temp_path {folder}/{name}_temp;"
                     for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    # Run by root (CI), the workers would otherwise become "nobody", which cannot write here.
    user = f"user {getpass.getuser()};\n" if os.geteuid() == 0 else ""
    conf = folder / "nginx.conf"
    conf.write_text(f"""# test scaffolding around deploy/nginx/hadir.conf (see deploy/loopback.py)
{user}worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    tcp_nopush on;
    server_tokens off;
{temp}
    access_log {folder}/access.log;
    include {site};
}}
""")
    return conf


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A throw-away certificate for 127.0.0.1 (``openssl req``): ``(certificate, key)``."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-days", "2", "-subj", "/CN=hadir-loopback", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True, timeout=30)
    return cert, key


def tls_context(cert: Path) -> ssl.SSLContext:
    """A client context that trusts only ``cert``."""
    return ssl.create_default_context(cafile=str(cert))


# --- processes ---------------------------------------------------------------------------

def tail(path: Path, lines: int = 40) -> str:
    """The last ``lines`` lines of a log file (or a note that there is none)."""
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


class Process:
    """A child process in its own session, its output in ``log``; stopped with SIGTERM, then SIGKILL."""

    def __init__(self, argv: list[str], *, env: dict, cwd: Path, log: Path):
        self.argv, self.env, self.cwd, self.log = argv, env, cwd, log
        self.proc: subprocess.Popen | None = None

    def start(self) -> "Process":
        self._fh = open(self.log, "ab")
        self.proc = subprocess.Popen(self.argv, cwd=self.cwd, env=self.env, stdout=self._fh,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        return self

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def wait_http(self, port: int, path: str = "/healthz", *, timeout: float = 60,
                  context: ssl.SSLContext | None = None) -> None:
        """Wait until ``GET path`` on 127.0.0.1:``port`` answers 200.

        :raises RuntimeError: the process exited, or no 200 within ``timeout`` seconds.
        """
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.running:
                raise RuntimeError(f"{self.argv[0]} exited ({self.proc.returncode}):\n{tail(self.log)}")
            conn = (http.client.HTTPSConnection("127.0.0.1", port, timeout=5, context=context) if context
                    else http.client.HTTPConnection("127.0.0.1", port, timeout=5))
            try:
                conn.request("GET", path)
                if conn.getresponse().status == 200:
                    return
            except OSError:
                pass
            finally:
                conn.close()
            time.sleep(0.1)
        raise RuntimeError(f"{self.argv[0]} did not answer {path} on port {port} in {timeout:.0f} s:\n{tail(self.log)}")

    def stop(self, timeout: float = 20) -> None:
        """SIGTERM (gunicorn and nginx stop gracefully), SIGKILL to the whole group after ``timeout`` s."""
        if self.running:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)
        if getattr(self, "_fh", None):
            self._fh.close()
            self._fh = None


def stop_all(processes: list[Process], timeout: float = 20) -> None:
    """Stop ``processes`` together: SIGTERM to all first, then wait for each (SIGKILL after ``timeout`` s)."""
    for process in processes:
        if process.running:
            process.proc.send_signal(signal.SIGTERM)
    for process in processes:
        process.stop(timeout)


def app_server(port: int, env_values: dict[str, str], log: Path) -> Process:
    """``hadir@<port>.service`` (not started): the unit's command with the environment file's values."""
    env = service_env(env_values)
    argv, cwd = unit_command(port, env)
    return Process(argv, env=env, cwd=cwd, log=log)


def nginx(conf: Path, log: Path) -> Process:
    """nginx in the foreground with ``conf`` (not started); ``-t`` is checked first.

    :raises RuntimeError: the configuration test failed (nginx's message included).
    """
    binary = "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else "nginx"
    test = subprocess.run([binary, "-t", "-q", "-c", str(conf), "-p", str(conf.parent)],
                          capture_output=True, text=True, timeout=30)
    if test.returncode != 0:
        raise RuntimeError(f"nginx -t failed:\n{test.stderr}")
    return Process([binary, "-c", str(conf), "-p", str(conf.parent), "-g", "daemon off;"],
                   env=dict(SYSTEMD_BASE_ENV), cwd=conf.parent, log=log)
