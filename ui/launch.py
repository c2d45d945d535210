"""Starting the Streamlit app for a data dir (`studykb serve`)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from studykb.layout import DATA_DIR_ENV
from studykb.lock import ServerLock

__all__ = ["APP", "MAX_UPLOAD_MB", "launch"]

APP = Path(__file__).resolve().parent / "app.py"
#: Python's GIL switch interval in the server (default 0.005 s): see `launch`.
SWITCH_INTERVAL_S = 0.0002
#: The largest upload the server accepts (reading-list JSON imports, drafts for 原文核对).
MAX_UPLOAD_MB = 5


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
    # The script thread sends each element to the browser through the server's event-loop thread; with
    # Python's default 5 ms GIL switch interval each of those handoffs, while the script is still
    # running, waited up to 5 ms (a page of results is ~100 messages: Enter → cards took ~300 ms, the
    # script itself ~40 ms). bench/ui_latency.py measures it.
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    sys.argv = [
        "streamlit", "run", str(APP),
        "--server.address", host, "--server.port", str(port),
        "--server.headless", "true", "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none", "--client.toolbarMode", "minimal",
        # An unexpected error shows a generic message: tracebacks and server paths go to the log only.
        "--client.showErrorDetails", "none",
        "--server.maxUploadSize", str(MAX_UPLOAD_MB),
        # Streamlit's default runs a full garbage collection after every script run; with the engine's
        # objects in memory that took ~300 ms, holding the GIL while the page waited for its last
        # elements (bench/ui_latency.py). Python's own generational collection still runs.
        "--runner.postScriptGC", "false",
        *(extra or []),
    ]
    try:
        sys.exit(stcli.main())
    finally:
        lock.release()
