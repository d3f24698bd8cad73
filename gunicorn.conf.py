"""gunicorn configuration: `gunicorn -c gunicorn.conf.py cms.wsgi` (see docs/deploiement.md).

Every value can be overridden from the environment, so the same file serves every app server.
"""
import multiprocessing
import os

# Loopback by default: only the reverse proxy on the same host reaches gunicorn. Behind a load
# balancer on another host, set GUNICORN_BIND=0.0.0.0:8000 and TRUSTED_PROXIES (docs/deploiement.md).
bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
# Synchronous workers: Django is synchronous here; 2 × cores + 1 is gunicorn's usual advice.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so that a slow leak never grows unbounded.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))  # 0: never recycle
max_requests_jitter = 200
# Load the application before forking: workers share its memory and start faster.
preload_app = True
# The load balancer terminates TLS and sets X-Forwarded-*; trust it (comma-separated addresses).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-") or None  # empty: no access log
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
# Temporary files of the worker heartbeat in memory, not on a possibly slow disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None


def _drop_server_banner():
    """No ``Server: gunicorn`` header: gunicorn always writes one, with no setting to turn it off.

    Its HTTP/1 responses write ``Server: <gunicorn.http.wsgi.SERVER>`` in ``default_headers``; the
    line is dropped there. (HTTP/2 responses, which gunicorn serves only with ``--http2``, are not.)
    """
    from gunicorn.http import wsgi

    if getattr(wsgi.Response.default_headers, "_without_server", False):
        return
    original = wsgi.Response.default_headers

    def default_headers(self):
        return [line for line in original(self) if not line.lower().startswith("server:")]

    default_headers._without_server = True
    wsgi.Response.default_headers = default_headers


_drop_server_banner()
