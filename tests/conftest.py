"""Shared fixtures: a small real corpus written by the tests, indexed once per session with the
offline all-MiniLM-L6-v2 model (the real model, loaded once, as sentence-transformers' own tests do)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from ingest.pipeline import IngestOptions, ingest
from ingest.report import IngestReport
from tests.pg_server import PgServer, bin_dir

#: Set to 1 where the PostgreSQL tests must run (CI), so that missing binaries fail instead of skipping.
REQUIRE_POSTGRES_ENV = "STUDYKB_TEST_POSTGRES"

REPRINT = "各级党组织要把学习贯彻作为首要政治任务，坚持读原著、学原文、悟原理，做到学思用贯通、知信行统一。"

FILES: dict[str, tuple[str, str]] = {
    # name: (text, encoding)
    "guide.md": (
        "# 主题教育学习辅导\n\n（2023年4月10日）\n\n## 一、深刻领悟两个确立\n\n"
        "深刻领悟“两个确立”的决定性意义，是开展主题教育的首要任务。党员干部要把思想统一到党的二十大精神上来。\n\n"
        "## 二、推进中国式现代化\n\n中国式现代化是人口规模巨大的现代化，是全体人民共同富裕的现代化。"
        "二十届三中全会对进一步全面深化改革作出部署。\n\n## 三、学习要求\n\n" + REPRINT + "\n",
        "utf-8",
    ),
    "compilation.txt": (
        "学习摘编\n第一部分 理论学习\n三、学习要求\n" + REPRINT + "\n"
        "四、学用结合\n新时代的党员要在学懂弄通做实上下功夫，把学习成果转化为推动工作的实际成效。\n",
        "utf-8",
    ),
    "zhejiang.txt": (
        "浙江基层治理经验\n一、浦江经验\n2003年，浙江省领导干部到浦江县下访接待群众，形成了“浦江经验”。"
        "领导干部主动下访，把矛盾化解在基层。\n二、千万工程\n“千万工程”从2003年开始实施，"
        "持续改善农村人居环境，造就了万千美丽乡村。\n",
        "gb18030",
    ),
    "traditional.txt": (
        "學習筆記\n楓橋經驗誕生於上世紀六十年代的浙江諸暨，依靠群眾就地化解矛盾，小事不出村、大事不出鎮。\n",
        "big5",
    ),
    "english.md": (
        "# Study brief\n\nThe Fengqiao experience began in Zhuji, Zhejiang, in 1963: residents and officials "
        "settle disputes locally instead of sending them upward.\n\nThe red boat on South Lake in Jiaxing is "
        "where the first National Congress finished its session in 1921.\n",
        "utf-8",
    ),
}

CATALOG = """
[documents."guide.md"]
title = "主题教育学习辅导"
category = "辅导读物"
date = 2023-04-10
tags = ["主题教育", "理论学习"]

[documents."compilation.txt"]
title = "学习摘编"
category = "摘编"
date = "2022-10-16"
tags = ["理论学习"]

[documents."zhejiang.txt"]
title = "浙江基层治理经验"
category = "场馆介绍"
date = "2023-06-01"
tags = ["基层治理"]
"""

MODEL = "minilm"
#: The sample corpus shipped with the repository (corpus/, written by scripts/build_corpus.py).
SAMPLE_CORPUS = Path(__file__).resolve().parents[1] / "corpus"


def write_corpus(root: Path) -> Path:
    """Write the small test corpus into `root` and return it."""
    root.mkdir(parents=True, exist_ok=True)
    for name, (text, encoding) in FILES.items():
        (root / name).write_bytes(text.encode(encoding))
    (root / "catalog.toml").write_text(CATALOG, encoding="utf-8")
    return root


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, IngestReport]:
    """(corpus dir, data dir, report) of the small corpus indexed once for the session."""
    base = tmp_path_factory.mktemp("built")
    corpus = write_corpus(base / "corpus")
    data = base / "data"
    report = ingest([corpus], data, IngestOptions(model=MODEL, max_chars=120, overlap=20))
    return corpus, data, report


@pytest.fixture(scope="session")
def sample_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Data dir of the whole sample corpus, ingested once per session (about 30 s). Read-only."""
    data = tmp_path_factory.mktemp("sample") / "data"
    report = ingest([SAMPLE_CORPUS], data, IngestOptions(model=MODEL))
    assert not report.failed, report.failed
    return data


@pytest.fixture
def workspace(built: tuple[Path, Path, IngestReport], tmp_path: Path) -> tuple[Path, Path]:
    """A private copy of the built corpus and data dir, for tests that change them.

    The copy's index adopts the copied corpus (a no-op ingest of a moved corpus), so its documents'
    files are the copies and ingesting the copy may remove documents.
    """
    corpus, data, _ = built
    shutil.copytree(corpus, tmp_path / "corpus")
    shutil.copytree(data, tmp_path / "data")
    ingest([tmp_path / "corpus"], tmp_path / "data", IngestOptions())
    return tmp_path / "corpus", tmp_path / "data"


@pytest.fixture
def fresh_streamlit_caches() -> Iterator[None]:
    """Streamlit caches outlive an AppTest: start and end a test with empty ones.

    App test modules use it with `pytestmark = pytest.mark.usefixtures("fresh_streamlit_caches")`.
    """
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture(scope="session")
def engine(built: tuple[Path, Path, IngestReport]):  # type: ignore[no-untyped-def]
    """The search Engine over the session's index."""
    from search.engine import Engine

    return Engine.open(built[1])


# --- the two database engines ------------------------------------------------------------------


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """One real PostgreSQL server for the session (Debian's binaries; CI installs `postgresql`)."""
    found = bin_dir()
    if found is None:
        why = "PostgreSQL server binaries not installed (apt-get install postgresql)"
        if os.environ.get(REQUIRE_POSTGRES_ENV) == "1":  # CI (.ci/run): a skipped engine is a failure
            pytest.fail(f"{why}, and ${REQUIRE_POSTGRES_ENV}=1")
        pytest.skip(why)
    server = PgServer.start_new(found)
    try:
        yield server
    finally:
        server.destroy()


@pytest.fixture(params=["sqlite", "postgres"])
def db_target(request: pytest.FixtureRequest, tmp_path: Path) -> Path | str:
    """What `studykb.db.connect` opens: a new SQLite file, or the URL of a new PostgreSQL database."""
    if request.param == "sqlite":
        return tmp_path / "studykb.db"
    server: PgServer = request.getfixturevalue("pg_server")
    return server.new_database()


from tests.use_fixtures import use_data, use_engine  # noqa: E402,F401  (session fixtures, multilingual USE)
