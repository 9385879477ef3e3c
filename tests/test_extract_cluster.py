from __future__ import annotations

from briefgen.engines.offline import extract
from briefgen.engines.offline.cluster import Corpus, kmeans


def test_sentences_split_but_not_at_abbreviations() -> None:
    text = "Models fail, e.g. on long inputs. We propose X et al. style fixes. It is 2.4x faster."
    assert extract.split_sentences(text) == [
        "Models fail, e.g. on long inputs.",
        "We propose X et al. style fixes.",
        "It is 2.4x faster.",
    ]


def test_claim_and_result_sentences() -> None:
    abstract = (
        "Serving is slow. We propose SpecServe, a scheduler. "
        "It improves throughput by 2.4x. We use 8 GPUs."
    )
    assert extract.claim_sentence(abstract) == "We propose SpecServe, a scheduler."
    assert extract.result_sentences(abstract) == ["It improves throughput by 2.4x."]
    assert extract.claim_sentence("Nothing claimed here.") is None


def test_tidy_unwraps_latex_and_cut_off_abstracts() -> None:
    assert extract.tidy("we introduce \\textsc{AllMem}, up to 70\\% of the...") == (
        "we introduce AllMem, up to 70% of the…"
    )
    assert extract.short_name("QuaRK: A Quantum Reservoir Kernel") == "QuaRK"
    assert len(extract.shorten("word " * 100, 50)) <= 50


def test_kmeans_groups_papers_that_share_vocabulary_deterministically() -> None:
    docs = [
        ("a1", "KV cache offload for inference", "kv cache pages offload serving inference"),
        ("b1", "Protein folding with graphs", "protein structure folding graph residues"),
        ("a2", "KV cache compression", "kv cache memory inference serving compression"),
        ("b2", "Protein docking", "protein docking structure residues binding"),
    ]
    corpus = Corpus.build(docs)
    clusters = kmeans(corpus, 2)
    assert sorted(sorted(c) for c in clusters) == [["a1", "a2"], ["b1", "b2"]]
    assert kmeans(Corpus.build(docs), 2) == clusters
    assert corpus.display("kv cache") == "KV cache"  # a term is shown as the papers spell it
