"""Running the API under uvicorn: one process, or N worker processes sharing the port."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from studykb.layout import DATA_DIR_ENV
from studykb.lock import ServerLock

__all__ = ["serve"]


def serve(data_dir: Path, *, host: str = "127.0.0.1", port: int = 8600, workers: int = 1) -> None:
    """Serve the API for `data_dir` until interrupted. With several workers each process opens the
    engine itself; their metrics are merged through a temporary PROMETHEUS_MULTIPROC_DIR."""
    import uvicorn

    from studykb.config import load_settings

    load_settings(data_dir)  # a bad studykb.toml fails here, with the file and key named
    lock = ServerLock(Path(data_dir))
    lock.acquire()  # held while serving: `studykb restore` refuses to replace the data dir meanwhile
    os.environ[DATA_DIR_ENV] = str(Path(data_dir).resolve())
    metrics_dir = None
    if workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        metrics_dir = tempfile.mkdtemp(prefix="studykb-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir
    try:
        uvicorn.run(
            "api.app:app_from_env",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level="warning",
            access_log=False,
            timeout_graceful_shutdown=5,
        )
    finally:
        lock.release()
        if metrics_dir:
            shutil.rmtree(metrics_dir, ignore_errors=True)
