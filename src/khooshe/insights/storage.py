"""Where the insights app keeps its files, all under ``settings.KHOOSHE_INSIGHTS_DIR``::

    datasets/<id>/original.<ext>   the uploaded file, as uploaded (download)
    datasets/<id>/data.parquet     the checked records with canonical column names (the pipeline's input)
    datasets/<id>/support_institutions.json   of a registry dataset: support institutions by region
    runs/<id>/<table>.parquet      the result tables of a run, and meta.json
    uploads/<user id>/<token>/     an upload waiting for its column mapping (removed after a day)
    tmp/                           work folders, renamed into place only when complete

Files are never served by the web server directly: the views check access first.
"""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

from django.conf import settings

DATA_FILE = "data.parquet"
SUPPORT_FILE = "support_institutions.json"
STAGING_MAX_AGE_SECONDS = 24 * 3600
TOKEN = re.compile(r"^[0-9a-f]{32}$")


def root() -> Path:
    path = Path(settings.KHOOSHE_INSIGHTS_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def dataset_dir(dataset_id: int) -> Path:
    return root() / "datasets" / str(int(dataset_id))


def dataset_data(dataset_id: int) -> Path:
    return dataset_dir(dataset_id) / DATA_FILE


def original_file(dataset_id: int) -> Path | None:
    """The uploaded original of a dataset, or None (a registry dataset has none)."""
    folder = dataset_dir(dataset_id)
    if not folder.is_dir():
        return None
    return next((p for p in sorted(folder.glob("original.*"))), None)


def run_dir(run_id: int) -> Path:
    return root() / "runs" / str(int(run_id))


def work_dir(prefix: str) -> Path:
    """A fresh folder on the same file system as the final places, so that a rename is atomic."""
    import tempfile

    base = root() / "tmp"
    base.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f"{prefix}-", dir=base))


def staging_dir(user_id: int, token: str) -> Path | None:
    """The folder of a staged upload of this user, or None when the token is malformed."""
    if not TOKEN.match(token or ""):
        return None
    return root() / "uploads" / str(int(user_id)) / token


def move_into_place(source: Path, target: Path) -> None:
    """Rename a complete work folder to its final place (replacing a leftover of a crashed attempt)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        shutil.rmtree(target)
    source.rename(target)


def remove(path: Path | None) -> None:
    if path is not None and path.exists():
        shutil.rmtree(path, ignore_errors=True)


def prune_staging(max_age: float = STAGING_MAX_AGE_SECONDS) -> None:
    """Remove staged uploads nobody finished, and work folders of crashed processes (older than a day)."""
    limit = time.time() - max_age
    for base in (root() / "uploads", root() / "tmp"):
        if not base.is_dir():
            continue
        for folder in base.glob("*/*") if base.name == "uploads" else base.glob("*"):
            try:
                if folder.is_dir() and folder.stat().st_mtime < limit:
                    shutil.rmtree(folder, ignore_errors=True)
            except OSError:
                continue
