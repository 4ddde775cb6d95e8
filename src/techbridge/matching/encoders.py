"""Choosing the dense signal's encoder by name: USE-m3 (the default) or a sentence-transformers model.

``Settings.encoder`` (``TECHBRIDGE_ENCODER``) names it: ``usem3``, or
``sentence-transformers:MODEL`` where MODEL is a local folder or a model already in the
Hugging Face cache. The sentence-transformers package (and PyTorch) is optional: install the
``sentence-transformers`` extra. Nothing downloads: the model is loaded with the hub offline,
and a model that is not on disk is a clear error, not a download.
"""

from __future__ import annotations

import os
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from techbridge.errors import ConfigError
from techbridge.matching.features import digest
from techbridge.matching.semantic import Encoder, UseEncoder

DEFAULT = "usem3"
_ST = "sentence-transformers:"


class SentenceEncoder:
    """A sentence-transformers model on the CPU, loaded on first use, vectors L2-normalised.

    ``identity`` (what its vectors depend on) names the model and the package's version, so
    that an index made by another model is made again (``features.stale``).
    """

    def __init__(self, model: str, batch_size: int = 32) -> None:
        self.model = model
        self.batch_size = batch_size
        self._model: Any = None

    @property
    def identity(self) -> str:
        """Return the package's version, the model's name or folder and, for a folder, its files.

        The files are named with their sizes (not read), so that a model saved anew in the same
        folder does not pass for the old one.
        """
        folder = Path(self.model)
        files = ""
        if folder.is_dir():
            listing = sorted(
                f"{f.relative_to(folder)}:{f.stat().st_size}" for f in folder.rglob("*") if f.is_file()
            )
            files = f"; files {digest(*listing)}"
        return f"sentence-transformers {_version()}; model {self.model}{files}"

    def _load(self) -> Any:
        if self._model is None:
            os.environ["HF_HUB_OFFLINE"] = "1"  # never download at run time
            try:
                from sentence_transformers import SentenceTransformer
            except ImportError as exc:
                raise ConfigError(
                    f"encoder {_ST}{self.model} needs the sentence-transformers package: "
                    "pip install 'techbridge[sentence-transformers]'"
                ) from exc
            from transformers.utils import logging as transformers_logging

            transformers_logging.disable_progress_bar()  # type: ignore[no-untyped-call]  # no bar per load
            try:
                self._model = SentenceTransformer(self.model, device="cpu", local_files_only=True)
            except OSError as exc:  # not a folder, and not in the Hugging Face cache
                raise ConfigError(
                    f"no sentence-transformers model {self.model!r} on this machine "
                    "(give a local folder; nothing is downloaded)"
                ) from exc
        return self._model

    def encode(self, texts: list[str]) -> NDArray[np.float32]:
        """Embed ``texts`` as L2-normalised float32 rows."""
        model = self._load()
        if not texts:
            return np.zeros((0, int(model.get_embedding_dimension())), np.float32)
        vectors = model.encode(
            texts, batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True,
            show_progress_bar=False,
        )  # fmt: skip
        return np.asarray(vectors, dtype=np.float32)


def _version() -> str:
    try:
        return metadata.version("sentence-transformers")
    except metadata.PackageNotFoundError:
        return "not installed"


def encoder_from(name: str, memo: bool = False) -> Encoder:
    """Return the encoder ``name`` designates; ``memo`` makes USE-m3 remember texts it embedded.

    Raise ConfigError for a name that is neither ``usem3`` nor ``sentence-transformers:MODEL``.
    """
    if name == DEFAULT:
        return UseEncoder(memo=memo)
    if name.startswith(_ST) and name[len(_ST) :].strip():
        return SentenceEncoder(name[len(_ST) :].strip())
    raise ConfigError(f"unknown encoder {name!r}: use {DEFAULT!r} or '{_ST}MODEL' (a local folder)")
