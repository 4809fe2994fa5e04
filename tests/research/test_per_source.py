"""``per_source``: a top-k shows k different sources when they exist, each hit still the
exact chunk that matched. Real SQLite, Chroma and the packaged embedding model."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest

from aiwriter_kernel import Workbench
from aiwriter_kernel.errors import ValidationError
from aiwriter_kernel.research import knowledge_base
from aiwriter_kernel.research.hybrid import Fusion, cap_per_source

pytestmark = pytest.mark.slow

# One long source answering everywhere (more matching chunks than a first candidate pool
# holds), and a few short ones answering once each.
LONG = "\n\n".join(
    f"Part {n}. Glider wing flutter was measured in the wind tunnel at speed {n}. "
    "Wing flutter of the glider grew with the tunnel speed, and the wing damped it. " * 6
    for n in range(60)
)
SHORT = {
    "spar.md": "A stiffer spar delays glider wing flutter in the wind tunnel.",
    "balance.md": "Mass balance of the aileron removes wing flutter on a glider.",
    "tests.md": "Wind tunnel tests of a glider wing found flutter at high speed.",
}
K = 4


@pytest.fixture(scope="module")
def workbench(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workbench]:
    folder = tmp_path_factory.mktemp("sources")
    (folder / "long.md").write_text(LONG)
    for name, text in SHORT.items():
        (folder / name).write_text(text)
    with Workbench.open(home=tmp_path_factory.mktemp("home")) as opened:
        assert opened.ingest([folder]).ok
        yield opened


@pytest.mark.parametrize("mode", ["hybrid", "dense", "lexical"])
def test_a_source_with_many_matching_chunks_does_not_fill_the_list(workbench, mode) -> None:
    unlimited = workbench.search("glider wing flutter wind tunnel", k=K, mode=mode)
    assert len({hit.source_id for hit in unlimited}) < K  # the long source crowds in

    distinct = workbench.search("glider wing flutter wind tunnel", k=K, mode=mode, per_source=1)
    assert len(distinct) == K
    assert len({hit.source_id for hit in distinct}) == K


def test_per_source_two_allows_two_of_a_source(workbench) -> None:
    hits = workbench.search("glider wing flutter", k=8, per_source=2)
    per_source = Counter(hit.source_id for hit in hits)
    assert max(per_source.values()) == 2 and len(hits) == 5  # 2 of the long one + 3 short


def test_per_source_zero_is_unlimited(workbench) -> None:
    hits = workbench.search("glider wing flutter", k=20, per_source=0)
    assert len(hits) == 20
    assert Counter(hit.source_id for hit in hits).most_common(1)[0][1] > 10


def test_collapsed_hits_cite_their_exact_chunk(workbench) -> None:
    for hit in workbench.search("wing flutter speed", k=K, per_source=1):
        assert workbench.kb.source_text(hit.source_id)[hit.start : hit.end] == hit.text
        (chunk,) = workbench.db.sources.get_chunks_by_ids([hit.chunk_id])
        assert (chunk.source_id, chunk.ordinal, chunk.text) == (
            hit.source_id,
            hit.ordinal,
            hit.text,
        )
        assert f"chars {hit.start}-{hit.end}" in hit.citation


def test_fewer_sources_than_k_gives_fewer_hits_not_repeats(workbench) -> None:
    hits = workbench.search("glider wing flutter", k=10, per_source=1)
    assert len(hits) == 4 == len({hit.source_id for hit in hits})


def test_a_negative_per_source_is_refused(workbench) -> None:
    with pytest.raises(ValidationError, match="per_source"):
        workbench.search("flutter", per_source=-1)


def test_cap_per_source_keeps_order_and_the_first_of_each() -> None:
    items = [("a", 1), ("b", 1), ("c", 2), ("d", 1), ("e", 3)]
    assert cap_per_source(items, lambda item: item[1], 1, 10) == [("a", 1), ("c", 2), ("e", 3)]
    assert cap_per_source(items, lambda item: item[1], 2, 3) == [("a", 1), ("b", 1), ("c", 2)]
    assert cap_per_source(items, lambda item: item[1], 0, 4) == items[:4]


def test_too_few_sources_in_the_first_pool_reads_both_sides_deeper(workbench, monkeypatch):
    query = "glider wing flutter wind tunnel speed part"
    top = workbench.search(query, k=8, mode="dense")
    # a first pool of 8 (2 * k) holds fewer than k = 4 different sources...
    assert len({hit.source_id for hit in top}) < K
    monkeypatch.setattr(knowledge_base, "FUSION", Fusion(rrf_k=10, lexical_weight=0.5, depth=1))
    hits = workbench.search(query, k=K, mode="dense", per_source=1)
    assert len({hit.source_id for hit in hits}) == K  # ...so search read deeper
