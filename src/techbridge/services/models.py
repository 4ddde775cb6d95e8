"""The heavy models of a process: the dense encoder, the Korean analyser and the loaded matching index.

Each takes seconds and hundreds of megabytes to load, so a process builds each once, on first use,
from its settings (``settings.encoder`` chooses the encoder everywhere), and every use case shares
it through ``Core.models``. The loaded index is read again when ``techbridge index`` rewrote it.
Tests hand in models they loaded once (``Models(settings, encoder=..., tokenizer=...)``).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from techbridge.config import Settings
from techbridge.matching.encoders import encoder_from
from techbridge.matching.engine import Matcher
from techbridge.matching.index import NEED_FILES, NeedFeatures, load_index, load_needs
from techbridge.matching.saved import read_meta
from techbridge.matching.semantic import Encoder

T = TypeVar("T")
Tokenizer = Callable[[list[str]], list[list[str]]]


class Models:
    """The process's models, each built on first use and then shared by every use case."""

    def __init__(
        self, settings: Settings, *, encoder: Encoder | None = None, tokenizer: Tokenizer | None = None
    ) -> None:
        """Store the settings; ``encoder`` and ``tokenizer`` are models already loaded (tests share them)."""
        self.settings = settings
        self._lock = threading.RLock()
        self._encoder: Encoder | None = encoder
        self._tokenizer: Tokenizer | None = tokenizer
        self._matcher: tuple[int, Matcher] | None = None
        self._needs: tuple[int, NeedFeatures] | None = None
        # The Korean analyser and the encoder are not shared across threads while they work.
        self.working = threading.Lock()

    @property
    def index_dir(self) -> Path:
        """Where the matching index of this database lives."""
        return self.settings.resolved_index_dir()

    def encoder(self) -> Encoder:
        """Return the dense encoder ``settings.encoder`` names (texts it embedded are remembered)."""
        with self._lock:
            if self._encoder is None:
                self._encoder = encoder_from(self.settings.encoder, memo=True)
            return self._encoder

    def tokenizer(self) -> Tokenizer:
        """Return the Korean index terms of texts (clusters and fusions label with them)."""
        from techbridge.services.consortia.cluster import korean_terms

        with self._lock:
            if self._tokenizer is None:
                self._tokenizer = korean_terms()
            return self._tokenizer

    def matcher(self) -> Matcher:
        """Return the saved matching index, loaded again whenever ``techbridge index`` rewrote it.

        Raises:
            NotIndexedError: there is no index yet, or it does not fit this version.
        """
        stamp = _stamp(self.index_dir / "meta.json")
        with self._lock:
            if self._matcher is None or self._matcher[0] != stamp:
                fresh = Matcher(encoder=self.encoder(), ann_threshold=self.settings.ann_threshold)
                self._matcher = (stamp, load_index(self.index_dir, fresh))
            return self._matcher[1]

    def index_identity(self) -> dict[str, Any]:
        """Return what identifies the saved index: when it was written, its records and features.

        Raises:
            NotIndexedError: there is no index yet, or it is of another format.
        """
        meta = read_meta(self.index_dir)
        written = dt.datetime.fromtimestamp(_stamp(self.index_dir / "meta.json") / 1e9, dt.UTC)
        return {
            "written_at": written.isoformat(timespec="seconds"),
            "records": meta.get("records"),
            "format": meta.get("format"),
            "features": meta.get("features"),
        }

    def needs(self) -> NeedFeatures:
        """Return the stored needs' features as the index saved them (read again when rewritten)."""
        stamp = _stamp(self.index_dir / NEED_FILES[0])
        with self._lock:
            if self._needs is None or self._needs[0] != stamp:
                self._needs = (stamp, load_needs(self.index_dir))
            return self._needs[1]

    def forget_index(self) -> None:
        """Drop the loaded index (after this process rewrote it)."""
        with self._lock:
            self._matcher = None
            self._needs = None

    def forget_needs(self) -> None:
        """Drop the loaded needs' features (after a need was registered or changed).

        A need whose text differs from the one its saved features were made from is matched with
        features made from its current text anyway; dropping them makes sure nothing this process
        holds outlives the change.
        """
        with self._lock:
            self._needs = None


def _stamp(path: Path) -> int:
    return path.stat().st_mtime_ns if path.exists() else 0
