"""Starting the Streamlit app for a data dir (`studykb serve`)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from studykb.layout import DATA_DIR_ENV
from studykb.lock import ServerLock

__all__ = ["APP", "launch"]

APP = Path(__file__).resolve().parent / "app.py"


def launch(
    data_dir: Path, *, host: str = "127.0.0.1", port: int = 8501, extra: list[str] | None = None
) -> None:
    """Run `streamlit run ui/app.py` in this process, bound to host:port, serving `data_dir`.

    Holds the data dir's server lock while it runs, so that `studykb restore` refuses to replace it.
    """
    from streamlit.web import cli as stcli

    lock = ServerLock(data_dir)
    lock.acquire()  # held while the server runs (a local: the file stays open until the process ends)

    os.environ[DATA_DIR_ENV] = str(data_dir.resolve())
    sys.argv = [
        "streamlit", "run", str(APP),
        "--server.address", host, "--server.port", str(port),
        "--server.headless", "true", "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none", "--client.toolbarMode", "minimal",
        # An unexpected error shows a generic message: tracebacks and server paths go to the log only.
        "--client.showErrorDetails", "none",
        "--server.maxUploadSize", "5",  # MB; uploads are reading-list JSON imports only
        *(extra or []),
    ]
    try:
        sys.exit(stcli.main())
    finally:
        lock.release()
