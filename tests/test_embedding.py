"""Library similarity: the model2vec embedder (a real model, built by tests/embedding_model.py),
its download by huggingface_hub from a fake Hugging Face (API, files and CDN) on 127.0.0.1,
the vector cache, and the TF-IDF fallback. Nothing here reaches the internet."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import pytest

from briefgen.core.errors import ConfigError
from briefgen.core.settings import NetworkSettings, SelectionSettings, Settings, StoreSettings
from briefgen.infra.store import Store
from briefgen.select.embedding import (
    MODEL_FILES,
    Matrix,
    StaticEmbedder,
    TfidfSimilarity,
    best_matches,
    failure_marker,
    forget_failed_downloads,
    load_embedder,
    model_dir,
    similarities,
)
from briefgen.select.model_download import CONNECT_TIMEOUT, DOWNLOAD_ATTEMPTS
from tests.embedding_model import build_model

REPO = "minishlab/potion-base-8M"
LFS_FILES = {"model.safetensors"}

QUANT_LIBRARY = [
    ("lib:q1", "Post-training INT8 quantization of weights with outliers and calibration"),
    ("lib:q2", "FP4 and FP8 low bit precision: rounding quantized weights"),
]
BIO_LIBRARY = [("lib:b1", "Protein folding and molecule binding for drug design")]
QUANT_PAPER = (
    "arxiv:2601.00001v1",
    "Calibration-free INT4 quantization: weights, outliers and rounding at low precision",
)
BIO_PAPER = ("arxiv:2601.00002v1", "Enzyme and protein binding of drug molecules in the cell")


# the model and a fake Hugging Face ----------------------------------------------------------


@pytest.fixture(scope="session")
def model_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_model(tmp_path_factory.mktemp("models") / "topical")


@pytest.fixture(autouse=True)
def fresh_process_memory() -> Iterator[None]:
    """Each test is a new process as far as remembered download failures go."""
    forget_failed_downloads()
    yield
    forget_failed_downloads()


COMMIT = hashlib.sha1(b"potion-base-8M").hexdigest()


class FakeHub:
    """Strict like huggingface.co, in the requests huggingface_hub's snapshot_download makes:

    - GET /api/models/{repo}[/revision/{revision}][?blobs=true]: the commit and its files, with
      each file's size and, for a Git LFS file, its SHA-256;
    - GET /api/models/{repo}/tree/{commit}?recursive=…: the same files as a tree listing;
    - HEAD and GET /{repo}/resolve/{revision}/{file}: a small file directly (200, ETag,
      X-Repo-Commit), a Git LFS file as a 302 to another server (the CDN) carrying
      X-Linked-Size and X-Linked-Etag (its SHA-256);

    an unknown repository is 401 RepoNotFound, an unknown revision 404 RevisionNotFound, an
    unknown file 404 EntryNotFound, an unknown blob 403. Records every request of both servers
    as "METHOD /path?query". `cut` makes the next N blob downloads stop half-way through their
    body; `wrong_checksum` names another SHA-256 for every Git LFS file; `portal` answers
    every request with a captive portal's sign-in page."""

    def __init__(self, repos: dict[str, dict[str, bytes]]) -> None:
        self.repos = repos
        self.blobs = {
            hashlib.sha256(body).hexdigest(): body
            for files in repos.values()
            for name, body in files.items()
            if name in LFS_FILES
        }
        self.requests: list[str] = []
        self.credentials: list[str] = []  # any Authorization header sent
        self.cut = 0
        self.wrong_checksum = False
        self.portal = False  # every request answered with a sign-in page
        self._lock = threading.Lock()
        hub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                self.respond()

            def do_HEAD(self) -> None:
                self.respond()

            def respond(self) -> None:
                with hub._lock:
                    hub.requests.append(f"{self.command} {self.path}")
                    hub.credentials += self.headers.get_all("Authorization") or []
                hub.answer(self)

            def log_message(self, format: str, *args: Any) -> None:
                return None

        self.servers = [ThreadingHTTPServer(("127.0.0.1", 0), Handler) for _ in range(2)]
        self.threads = []
        for server in self.servers:
            server.daemon_threads = True
            self.threads.append(
                threading.Thread(
                    target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
                )
            )

    @property
    def url(self) -> str:
        host, port = self.servers[0].server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def cdn(self) -> str:
        host, port = self.servers[1].server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def stop(self) -> None:
        for server in self.servers:
            server.shutdown()
            server.server_close()

    def paths(self) -> list[str]:
        """The requests without their query strings."""
        return [request.split("?")[0] for request in self.requests]

    def sha256(self, body: bytes) -> str:
        return "0" * 64 if self.wrong_checksum else hashlib.sha256(body).hexdigest()

    def listing(self, repo: str, *, tree: bool) -> list[dict[str, Any]]:
        entries = []
        for name, body in sorted(self.repos[repo].items()):
            entry: dict[str, Any] = {"size": len(body), "blobId": hashlib.sha1(body).hexdigest()}
            lfs: dict[str, Any] = {"size": len(body), "pointerSize": 134}
            if tree:
                entry = {"type": "file", "path": name, "oid": entry["blobId"], "size": len(body)}
                lfs["oid"] = self.sha256(body)
            else:
                entry["rfilename"] = name
                lfs["sha256"] = self.sha256(body)
            if name in LFS_FILES:
                entry["lfs"] = lfs
            entries.append(entry)
        return entries

    def answer(self, handler: BaseHTTPRequestHandler) -> None:
        if self.portal:
            return self.reply(handler, 200, b"<html>Sign in to the network</html>")
        path = urlsplit(handler.path).path
        blob = re.fullmatch(r"/blobs/([0-9a-f]{64})", path)
        if blob:
            body = self.blobs.get(blob.group(1))
            if body is None:
                return self.reply(handler, 403, b"AccessDenied")
            with self._lock:
                cut, self.cut = self.cut > 0, max(self.cut - 1, 0)
            return self.reply(handler, 200, body, cut=cut)
        api = re.fullmatch(r"/api/models/([^/]+/[^/]+)(?:/(revision|tree)/([^/]+))?", path)
        found = api or re.fullmatch(r"/([^/]+/[^/]+)/resolve/([^/]+)/(.+)", path)
        if not found:
            return self.reply(handler, 404, b"Not Found")
        repo = found.group(1)
        revision = (found.group(3) or "main") if api else found.group(2)
        if repo not in self.repos:
            return self.reply(
                handler, 401, b"Repository not found", {"X-Error-Code": "RepoNotFound"}
            )
        if revision not in ("main", COMMIT):
            return self.reply(handler, 404, b"Invalid rev", {"X-Error-Code": "RevisionNotFound"})
        if api and api.group(2) != "tree":
            info = {"id": repo, "sha": COMMIT, "siblings": self.listing(repo, tree=False)}
            return self.reply(handler, 200, json.dumps(info).encode())
        if api:
            return self.reply(handler, 200, json.dumps(self.listing(repo, tree=True)).encode())
        filename = found.group(3)
        body = self.repos[repo].get(filename)
        if body is None:
            return self.reply(handler, 404, b"Entry not found", {"X-Error-Code": "EntryNotFound"})
        commit = {"X-Repo-Commit": COMMIT}
        if filename in LFS_FILES:
            sha = hashlib.sha256(body).hexdigest()
            return self.reply(
                handler,
                302,
                b"",
                {
                    **commit,
                    "Location": f"{self.cdn}/blobs/{sha}?X-Amz-Signature=abc",
                    "X-Linked-Size": str(len(body)),
                    "X-Linked-Etag": f'"{self.sha256(body)}"',
                },
            )
        etag = hashlib.sha1(body).hexdigest()
        return self.reply(handler, 200, body, {**commit, "ETag": f'"{etag}"'})

    @staticmethod
    def reply(
        handler: BaseHTTPRequestHandler,
        status: int,
        body: bytes,
        headers: dict[str, str] | None = None,
        cut: bool = False,
    ) -> None:
        handler.send_response(status)
        handler.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.end_headers()
        if handler.command == "HEAD":
            return
        if cut:  # the connection drops half-way through the body
            handler.wfile.write(body[: len(body) // 2])
            handler.wfile.flush()
            handler.close_connection = True
            handler.connection.shutdown(socket.SHUT_RDWR)
            return
        handler.wfile.write(body)


@pytest.fixture
def hub(model_folder: Path) -> Iterator[FakeHub]:
    files = {path.name: path.read_bytes() for path in model_folder.iterdir() if path.is_file()}
    assert {"README.md", "modules.json"} <= set(files)  # as a real model2vec repository has
    fake = FakeHub({REPO: files})
    fake.start()
    yield fake
    fake.stop()


def settings(
    home: Path, url: str, model: str = REPO, http_retries: int = 4, timeout: float = 5
) -> Settings:
    return Settings(
        store=StoreSettings(home=home),
        selection=SelectionSettings(embedding_url=url, embedding_model=model),
        network=NetworkSettings(
            retry_wait_seconds=0, http_timeout_seconds=timeout, http_retries=http_retries
        ),
    )


class Told:
    """The lines briefgen logged at one level during the test (caplog's records)."""

    def __init__(self, caplog: pytest.LogCaptureFixture, level: int) -> None:
        self.caplog, self.level = caplog, level
        if level < logging.getLogger("briefgen").getEffectiveLevel():
            caplog.set_level(level, logger="briefgen")

    @property
    def lines(self) -> list[str]:
        records = self.caplog.records
        return [r.getMessage() for r in records
                if r.levelno == self.level and r.name.startswith("briefgen.")]  # fmt: skip


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to open a connection fails the test."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"network connection attempted: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def unit_rows(matrix: Matrix) -> bool:
    norms = np.linalg.norm(matrix, axis=1)
    return bool(np.all(np.isclose(norms, 1.0, atol=1e-5) | np.isclose(norms, 0.0)))


# loading ------------------------------------------------------------------------------------


def test_the_built_model_loads_from_a_local_folder(
    model_folder: Path, tmp_path: Path, no_network: None, caplog: pytest.LogCaptureFixture
) -> None:
    warn = Told(caplog, logging.WARNING)
    embedder = load_embedder(settings(tmp_path, "http://127.0.0.1:9", str(model_folder)))
    assert isinstance(embedder, StaticEmbedder)
    assert re.fullmatch(r"topical@[0-9a-f]{12}", embedder.name)
    vectors = embedder.embed([QUANT_PAPER[1], BIO_PAPER[1], ""])
    assert vectors.shape == (3, 32) and vectors.dtype == np.float32
    assert unit_rows(vectors)
    assert not vectors[2].any()  # no token, no direction
    assert embedder.embed([]).shape == (0, 32)
    assert not warn.lines
    assert not (tmp_path / "models").exists()  # a local folder is not copied


def test_the_model_name_changes_with_the_model_files(model_folder: Path, tmp_path: Path) -> None:
    other = build_model(tmp_path / "topical", seed=1)
    first = load_embedder(settings(tmp_path, "", str(model_folder)))
    second = load_embedder(settings(tmp_path, "", str(other)))
    assert first is not None and second is not None
    assert first.name.split("@")[0] == second.name.split("@")[0] == "topical"
    assert first.name != second.name


def test_a_broken_local_folder_is_a_config_error(model_folder: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(model_folder, broken)
    (broken / "tokenizer.json").unlink()
    with pytest.raises(ConfigError, match=r"broken does not load as a model2vec model"):
        load_embedder(settings(tmp_path, "", str(broken)))

    shutil.copy(model_folder / "tokenizer.json", broken / "tokenizer.json")
    body = (model_folder / "model.safetensors").read_bytes()
    (broken / "model.safetensors").write_bytes(body[: len(body) // 2])
    with pytest.raises(ConfigError, match=r"does not load"):
        load_embedder(settings(tmp_path, "", str(broken)))


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("./no-such-model", "[selection] embedding_model './no-such-model': no such folder"),
        ("/no/such/model", "no such folder"),
        ("not a repo id", "[selection] embedding_model 'not a repo id' is neither a local folder "
         "nor a Hugging Face repository id"),
        ("owner/na--me", "neither a local folder"),
    ],
)
def test_a_model_that_is_neither_folder_nor_repository_is_a_config_error(
    tmp_path: Path, spec: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_embedder(settings(tmp_path, "http://127.0.0.1:9", spec))


def test_tfidf_means_no_model_and_no_word(
    hub: FakeHub, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    warn, info = Told(caplog, logging.WARNING), Told(caplog, logging.INFO)
    assert load_embedder(settings(tmp_path, hub.url, "tfidf")) is None
    assert warn.lines == info.lines == hub.requests == []


# downloading --------------------------------------------------------------------------------


def test_first_use_downloads_the_model_and_then_loads_it_from_disk(
    hub: FakeHub,
    model_folder: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    warn, info = Told(caplog, logging.WARNING), Told(caplog, logging.INFO)
    embedder = load_embedder(settings(tmp_path, hub.url))

    target = model_dir(tmp_path, REPO)
    assert target == tmp_path / "models" / "minishlab--potion-base-8M"
    assert isinstance(embedder, StaticEmbedder) and embedder.folder == target
    assert sorted(p.name for p in target.iterdir()) == sorted(MODEL_FILES)
    for name in MODEL_FILES:
        assert (target / name).read_bytes() == (model_folder / name).read_bytes()
    assert os.listdir(tmp_path / "models") == [target.name]  # no staging folder left behind
    # The commit and its files' sizes and checksums, the tree at that commit, then only what
    # loading needs (no README.md, no modules.json), the big file through its redirect.
    sha = hashlib.sha256((model_folder / "model.safetensors").read_bytes()).hexdigest()
    resolve = f"/{REPO}/resolve/{COMMIT}"
    assert hub.requests[:2] == [
        f"GET /api/models/{REPO}?blobs=true",
        f"GET /api/models/{REPO}/tree/{COMMIT}?recursive=true&expand=false",
    ]
    assert hub.paths()[2:] == [
        f"HEAD {resolve}/config.json",
        f"GET {resolve}/config.json",
        f"HEAD {resolve}/model.safetensors",
        f"GET /blobs/{sha}",
        f"HEAD {resolve}/tokenizer.json",
        f"GET {resolve}/tokenizer.json",
    ]
    assert warn.lines == []
    size = (model_folder / "model.safetensors").stat().st_size
    assert info.lines == [f"downloading embedding model {REPO} ({size / 1e3:.0f} kB) to {target}"]
    assert embedder.name.startswith(f"{REPO}@")

    # The next run: the files on disk, no request at all (nor any other connection: model2vec
    # must not turn to the Hub either).
    seen = len(hub.requests)
    monkeypatch.setattr(socket.socket, "connect", lambda *a: pytest.fail("network"))
    again = load_embedder(settings(tmp_path, hub.url))
    assert again is not None and again.name == embedder.name
    assert len(hub.requests) == seen and len(info.lines) == 1 and not warn.lines
    local = load_embedder(settings(tmp_path, "", str(model_folder)))
    assert local is not None
    assert np.allclose(again.embed([QUANT_PAPER[1]]), local.embed([QUANT_PAPER[1]]))


def test_an_interrupted_download_leaves_nothing_loadable_and_the_next_run_downloads_again(
    hub: FakeHub, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    hub.cut = 2  # both attempts of this run drop half-way through model.safetensors
    warn, info = Told(caplog, logging.WARNING), Told(caplog, logging.INFO)
    first = load_embedder(settings(tmp_path, hub.url, http_retries=2))
    assert first is None
    assert len(warn.lines) == 1
    assert (
        "could not be downloaded (127.0.0.1 dropped the connection on both attempts)"
        in (warn.lines[0])
    )
    assert "TF-IDF" in warn.lines[0]
    assert not model_dir(tmp_path, REPO).exists()  # nothing that would load
    assert any("dropped the connection on attempt 1/2" in line for line in info.lines)

    # The same process does not try again, nor warn again.
    seen = len(hub.requests)
    assert load_embedder(settings(tmp_path, hub.url)) is None
    assert len(hub.requests) == seen and len(warn.lines) == 1

    # The next run the same day (a new process) does not try again either: it says so in one
    # warning and ranks by TF-IDF at once.
    forget_failed_downloads()
    assert load_embedder(settings(tmp_path, hub.url)) is None
    assert len(hub.requests) == seen and len(warn.lines) == 2
    assert "could not be downloaded earlier today (127.0.0.1 dropped" in warn.lines[1]
    assert "briefgen tries again tomorrow (to try now, delete " in warn.lines[1]
    assert load_embedder(settings(tmp_path, hub.url)) is None
    assert len(warn.lines) == 2  # one warning per run

    # The next day, a run resumes the download (the small files it has are not fetched
    # again) and loads the model.
    marker = failure_marker(model_dir(tmp_path, REPO))
    marker.write_text(marker.read_text().replace(date.today().isoformat(), "2000-01-01"))
    forget_failed_downloads()
    embedder = load_embedder(settings(tmp_path, hub.url))
    assert embedder is not None and len(warn.lines) == 2
    assert any(path.startswith("GET /blobs/") for path in hub.paths()[seen:])
    assert f"GET /{REPO}/resolve/{COMMIT}/config.json" not in hub.paths()[seen:]
    assert os.listdir(tmp_path / "models") == [model_dir(tmp_path, REPO).name]
    assert not marker.exists()


def test_an_explicit_refresh_tries_a_failed_download_again_the_same_day(
    hub: FakeHub, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    hub.cut = 2
    warn = Told(caplog, logging.WARNING)
    assert load_embedder(settings(tmp_path, hub.url, http_retries=2)) is None
    hub.cut = 0
    forget_failed_downloads(tmp_path)
    assert load_embedder(settings(tmp_path, hub.url)) is not None
    assert len(warn.lines) == 1


def test_the_users_hugging_face_setup_neither_redirects_nor_joins_the_download(
    hub: FakeHub, tmp_path: Path
) -> None:
    """huggingface_hub reads its cache folder, endpoint, token and timeouts from HF_*
    variables when it is imported: a run under a user's own Hugging Face setup still downloads
    from embedding_url into briefgen's home, sends no token, and writes nothing in their cache."""
    user_cache = tmp_path / "user-hf"
    env = {
        **os.environ,
        "HF_HOME": str(user_cache),
        "HF_HUB_CACHE": str(user_cache / "hub"),
        "HF_ENDPOINT": "http://127.0.0.1:9",
        "HF_TOKEN": "hf_users_own_token",
        "HF_HUB_DOWNLOAD_TIMEOUT": "600",
        "HF_HUB_ETAG_TIMEOUT": "600",
    }
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from briefgen.core.settings import SelectionSettings, Settings, StoreSettings\n"
        "from briefgen.select.embedding import load_embedder\n"
        "selection = SelectionSettings(embedding_url=sys.argv[2], embedding_model=sys.argv[3])\n"
        "found = load_embedder(Settings(store=StoreSettings(home=Path(sys.argv[1])),\n"
        "                      selection=selection))\n"
        "sys.exit(0 if found is not None else 1)\n"
    )
    home = tmp_path / "home"
    done = subprocess.run(
        [sys.executable, "-c", script, str(home), hub.url, REPO],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert sorted(p.name for p in model_dir(home, REPO).iterdir()) == sorted(MODEL_FILES)
    assert hub.credentials == []
    assert not user_cache.exists()


def test_a_host_program_keeps_its_progress_bars_and_sets_its_hub_client_again(
    hub: FakeHub, tmp_path: Path
) -> None:
    """huggingface_hub's client factory and progress bars are settings of the whole process:
    briefgen turns the progress bars off for a download, failed or done, and back as they were;
    its client stays set (huggingface_hub cannot say which was in use) until the host sets its
    own again, as the docstring of the download says."""
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "import httpx2\n"
        "from huggingface_hub import get_session, set_client_factory\n"
        "from huggingface_hub.utils import are_progress_bars_disabled\n"
        "from briefgen.core.settings import SelectionSettings, Settings, StoreSettings\n"
        "from briefgen.select.embedding import load_embedder\n"
        "set_client_factory(lambda: httpx2.Client(headers={'X-Host': 'its own'}))\n"
        "def state():\n"
        "    return (are_progress_bars_disabled(), get_session().headers.get('X-Host'))\n"
        "said = [state()]\n"
        "for n, url in enumerate(sys.argv[2:]):\n"
        "    selection = SelectionSettings(embedding_url=url, embedding_model=sys.argv[1])\n"
        "    home = StoreSettings(home=Path(f'home-{n}'))\n"
        "    found = load_embedder(Settings(store=home, selection=selection))\n"
        "    said.append((found is not None, *state()))\n"
        "set_client_factory(lambda: httpx2.Client(headers={'X-Host': 'its own'}))\n"
        "said.append(state())\n"
        "print(said)\n"
    )
    dead = f"http://127.0.0.1:{closed_port()}"
    done = subprocess.run(
        [sys.executable, "-c", script, REPO, dead, hub.url], cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])},
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(
        [(False, "its own"), (False, False, None), (True, False, None), (False, "its own")]
    )
    assert sorted(p.name for p in model_dir(tmp_path / "home-1", REPO).iterdir()) == sorted(
        MODEL_FILES
    )


def test_the_download_gives_up_fast(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    # A network that drops packets: a host that accepts nothing and answers nothing. At most
    # DOWNLOAD_ATTEMPTS attempts, each connect within CONNECT_TIMEOUT.
    assert CONNECT_TIMEOUT <= 5 and DOWNLOAD_ATTEMPTS <= 2
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(0)  # connects, then never answers: the read timeout decides
    url = f"http://127.0.0.1:{silent.getsockname()[1]}"
    warn = Told(caplog, logging.WARNING)
    started = time.monotonic()
    try:
        quick = settings(tmp_path, url, http_retries=4, timeout=0.5)
        found = load_embedder(quick)
    finally:
        silent.close()
    assert found is None and len(warn.lines) == 1
    assert time.monotonic() - started < 10


def test_a_dropped_body_is_retried_within_the_run(
    hub: FakeHub, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    hub.cut = 1
    warn, info = Told(caplog, logging.WARNING), Told(caplog, logging.INFO)
    embedder = load_embedder(settings(tmp_path, hub.url, http_retries=2))
    assert embedder is not None and not warn.lines
    assert len([p for p in hub.paths() if p.startswith("GET /blobs/")]) == 2
    assert len([line for line in info.lines if line.startswith("downloading")]) == 1


def test_a_staging_folder_left_by_a_killed_download_is_never_loaded(
    hub: FakeHub, model_folder: Path, tmp_path: Path
) -> None:
    models = tmp_path / "models"
    stale = models / ".minishlab--potion-base-8M.partial"
    stale.mkdir(parents=True)
    for name in MODEL_FILES:  # looks complete, but one file is half of itself
        shutil.copy(model_folder / name, stale / name)
    body = (model_folder / "model.safetensors").read_bytes()
    (stale / "model.safetensors").write_bytes(body[: len(body) // 2])

    embedder = load_embedder(settings(tmp_path, hub.url))
    assert embedder is not None
    assert any(p.startswith("GET /blobs/") for p in hub.paths())
    assert os.listdir(models) == ["minishlab--potion-base-8M"]  # the staging folder renamed
    assert (models / "minishlab--potion-base-8M" / "model.safetensors").read_bytes() == body


def test_a_file_that_is_not_what_its_checksum_says_is_not_kept(
    hub: FakeHub, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    hub.wrong_checksum = True
    warn = Told(caplog, logging.WARNING)
    found = load_embedder(settings(tmp_path, hub.url, http_retries=2))
    assert found is None
    assert len(warn.lines) == 1 and "SHA-256" in warn.lines[0]
    assert os.listdir(tmp_path / "models") == []


def test_files_that_do_not_load_are_not_kept(
    hub: FakeHub, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    hub.repos[REPO]["config.json"] = b"<html>Sign in to the network</html>"  # a captive portal
    warn = Told(caplog, logging.WARNING)
    assert load_embedder(settings(tmp_path, hub.url)) is None
    assert len(warn.lines) == 1
    assert warn.lines[0].startswith(f"embedding model {REPO} as downloaded from 127.0.0.1 is not")
    assert "TF-IDF" in warn.lines[0]
    assert os.listdir(tmp_path / "models") == []


def test_a_server_that_is_not_a_hub_means_one_warning(
    hub: FakeHub, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    hub.portal = True
    warn = Told(caplog, logging.WARNING)
    assert load_embedder(settings(tmp_path, hub.url)) is None
    assert warn.lines == [
        f"embedding model {REPO} could not be downloaded (127.0.0.1 does not answer as a "
        "Hugging Face endpoint): ranking by TF-IDF similarity instead; set [selection] "
        "embedding_model to a local model folder, or 'tfidf' to silence this"
    ]
    assert hub.paths() == [f"GET /api/models/{REPO}"]


def test_a_damaged_downloaded_model_is_downloaded_again(
    hub: FakeHub, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    assert load_embedder(settings(tmp_path, hub.url)) is not None
    (model_dir(tmp_path, REPO) / "tokenizer.json").unlink()
    seen = len(hub.requests)
    warn = Told(caplog, logging.WARNING)
    assert load_embedder(settings(tmp_path, hub.url)) is not None
    assert not warn.lines
    assert f"GET /{REPO}/resolve/{COMMIT}/tokenizer.json" in hub.paths()[seen:]


def test_an_unreachable_server_means_one_warning_and_the_tfidf_fallback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    port = closed_port()
    attempts: list[object] = []
    connect = socket.socket.connect

    def counting(self: socket.socket, address: Any) -> None:
        if address[1] == port:
            attempts.append(address)
        connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", counting)
    url = f"http://127.0.0.1:{port}"
    warn, info = Told(caplog, logging.WARNING), Told(caplog, logging.INFO)
    first = load_embedder(settings(tmp_path, url))
    second = load_embedder(settings(tmp_path, url))
    assert first is None and second is None
    assert warn.lines == [
        f"embedding model {REPO} could not be downloaded (connection refused by 127.0.0.1): "
        "ranking by TF-IDF similarity instead; set [selection] embedding_model to a local model "
        "folder, or 'tfidf' to silence this"
    ]
    assert len(attempts) == 1  # refused once: not retried, not tried again by the second call
    assert info.lines == []
    assert not (tmp_path / "models").exists()


def test_an_unknown_repository_falls_back_with_a_warning_that_says_so(
    hub: FakeHub, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    warn = Told(caplog, logging.WARNING)
    assert load_embedder(settings(tmp_path, hub.url, "nobody/no-model")) is None
    assert len(warn.lines) == 1
    assert "127.0.0.1 has no repository nobody/no-model: HTTP 401; check the repository id" in (
        warn.lines[0]
    )
    assert hub.paths() == ["GET /api/models/nobody/no-model"]


# similarity and the vector cache ------------------------------------------------------------


class CountingEmbedder:
    def __init__(self, inner: StaticEmbedder, name: str | None = None) -> None:
        self.inner = inner
        self.name = name or inner.name
        self.calls: list[list[str]] = []

    def embed(self, texts: list[str]) -> Matrix:
        self.calls.append(list(texts))
        return self.inner.embed(texts)


@pytest.fixture
def embedder(model_folder: Path, tmp_path: Path) -> StaticEmbedder:
    loaded = load_embedder(settings(tmp_path, "", str(model_folder)))
    assert isinstance(loaded, StaticEmbedder)
    return loaded


def test_cached_vectors_are_not_embedded_again(embedder: StaticEmbedder, tmp_path: Path) -> None:
    candidates = [QUANT_PAPER, BIO_PAPER]
    library = [*QUANT_LIBRARY, *BIO_LIBRARY]
    with Store.open(tmp_path / "store") as store:
        counting = CountingEmbedder(embedder)
        first = similarities(candidates, library, embedder=counting, store=store)
        assert len(counting.calls) == 1 and len(counting.calls[0]) == 5  # one call, all texts

        second = similarities(candidates, library, embedder=counting, store=store)
        assert len(counting.calls) == 1  # everything from the cache
        assert np.allclose(first, second, atol=1e-6)

        newcomer = ("arxiv:2601.00003v1", "Speculative decoding and KV cache for serving")
        similarities([*candidates, newcomer], library, embedder=counting, store=store)
        assert counting.calls[1:] == [[newcomer[1]]]  # only what the cache lacks

        other = CountingEmbedder(embedder, name="another-model@000000000000")
        similarities(candidates, library, embedder=other, store=store)
        assert len(other.calls) == 1 and len(other.calls[0]) == 5  # another model: all again


def test_a_key_given_twice_is_embedded_once(embedder: StaticEmbedder) -> None:
    counting = CountingEmbedder(embedder)
    sim = similarities([QUANT_PAPER], [QUANT_PAPER, *BIO_LIBRARY], embedder=counting, store=None)
    assert counting.calls == [[QUANT_PAPER[1], BIO_LIBRARY[0][1]]]
    assert sim[0, 0] == pytest.approx(1.0, abs=1e-5)


@pytest.mark.parametrize("use_model", [True, False], ids=["model2vec", "tfidf"])
def test_a_paper_on_the_library_s_topic_ranks_above_an_unrelated_one(
    embedder: StaticEmbedder, use_model: bool
) -> None:
    sim = similarities(
        [BIO_PAPER, QUANT_PAPER],
        QUANT_LIBRARY,
        embedder=embedder if use_model else None,
        store=None,
    )
    assert sim.shape == (2, 2) and sim.dtype == np.float32
    best, _ = best_matches(sim)
    assert best[1] > best[0] + 0.1
    assert np.all((sim >= -1.0) & (sim <= 1.0))
    # and the other way round: a biology library prefers the biology paper
    bio = similarities(
        [BIO_PAPER, QUANT_PAPER], BIO_LIBRARY, embedder=embedder if use_model else None, store=None
    )
    assert bio[0, 0] > bio[1, 0] + 0.1


def test_best_matches_names_the_closest_library_paper() -> None:
    sim = np.array([[0.1, 0.7, 0.3], [0.9, 0.2, 0.0]], dtype=np.float32)
    best, index = best_matches(sim)
    assert best.tolist() == pytest.approx([0.7, 0.9])
    assert index.tolist() == [1, 0]


def test_an_empty_library_or_day_gives_an_empty_matrix(embedder: StaticEmbedder) -> None:
    counting = CountingEmbedder(embedder)
    for model in (counting, None):
        sim = similarities([QUANT_PAPER, BIO_PAPER], [], embedder=model, store=None)
        assert sim.shape == (2, 0)
        best, index = best_matches(sim)
        assert best.tolist() == [0.0, 0.0] and index.tolist() == [-1, -1]
        assert similarities([], QUANT_LIBRARY, embedder=model, store=None).shape == (0, 2)
    assert counting.calls == []  # nothing to compare: nothing embedded


def test_tfidf_rows_are_unit_length_and_stop_words_alone_match_nothing() -> None:
    rows = TfidfSimilarity().embed([QUANT_PAPER[1], BIO_PAPER[1]])
    dense = np.asarray(rows.toarray(), dtype=np.float32)
    assert unit_rows(dense) and dense.shape[0] == 2
    sim = similarities([("a", "the of and")], [("b", "it is a")], embedder=None, store=None)
    assert sim.tolist() == [[0.0]]


def test_the_model_is_loaded_only_when_a_vector_is_missing(
    model_folder: Path, tmp_path: Path
) -> None:
    candidates = [QUANT_PAPER, BIO_PAPER]
    with Store.open(tmp_path / "store") as store:
        first = load_embedder(settings(tmp_path, "", str(model_folder)))
        assert isinstance(first, StaticEmbedder) and not first.loaded  # checked, not loaded
        similarities(candidates, QUANT_LIBRARY, embedder=first, store=store)
        assert first.loaded
        # the next run: every vector in the store, so the model is never loaded
        again = load_embedder(settings(tmp_path, "", str(model_folder)))
        assert isinstance(again, StaticEmbedder) and again.name == first.name
        similarities(candidates, QUANT_LIBRARY, embedder=again, store=store)
        assert not again.loaded
