"""Few-shot labels: a CSV of ``text,task,label`` rows that teaches cjm, stored and reused.

``task`` is one of ``stage``, ``touchpoint``, ``category`` or ``kind``. Labelled texts become
the label's examples in :class:`~cjm.voc.vocabulary.ZeroShot`: their centroid joins the label's
words (more examples, more weight) and they train the classifier that refines the decision, so
a handful per class moves it toward the user's own examples; a label the vocabulary does not
know becomes a new class. :func:`add_labels` merges a new CSV into the store file (one row per
task and text, the newest label wins), which later runs read again.

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "new.csv").write_text("text,task,label\\nbag is gone,stage,baggage\\n")
>>> add_labels(folder / "new.csv", folder / "store.csv")
1
>>> read_labels(folder / "store.csv")
{'stage': {'baggage': ['bag is gone']}}
"""

from __future__ import annotations

import csv
import dataclasses
from pathlib import Path

from cjm.errors import InvalidInput
from cjm.voc.vocabulary import Label

TASKS = ("stage", "touchpoint", "category", "kind")
Labels = dict[str, dict[str, list[str]]]  # task -> label -> texts


def read_labels(path: str | Path) -> Labels:
    """The labels in a CSV file (``text,task,label``); an absent file has none."""
    path = Path(path)
    if not path.exists():
        return {}
    labels: Labels = {}
    for line, row in _rows(path):
        task, label, text = row["task"].strip(), row["label"].strip(), row["text"].strip()
        if task not in TASKS:
            raise InvalidInput(
                f"{path}, line {line}: unknown task '{task}'",
                hint=f"the tasks are: {', '.join(TASKS)}",
            )
        if text and label:
            labels.setdefault(task, {}).setdefault(label, []).append(text)
    return labels


def add_labels(new: str | Path, store: str | Path) -> int:
    """Merge the labels of ``new`` into ``store``; return how many rows the store holds.

    ``new`` must exist (a mistyped path is refused, not read as no labels); the store may not
    yet. Both are read before the store is written, so a bad row leaves it as it was."""
    if not Path(new).is_file():
        raise InvalidInput(f"no such file: {new}", hint="check the path of the labels file")
    merged: dict[tuple[str, str], str] = {}
    for source in (Path(store), Path(new)):
        for task, by_label in read_labels(source).items():
            for label, texts in by_label.items():
                merged.update({(task, text): label for text in texts})
    Path(store).parent.mkdir(parents=True, exist_ok=True)
    with Path(store).open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["text", "task", "label"])
        writer.writerows([text, task, label] for (task, text), label in sorted(merged.items()))
    return len(merged)


def with_examples(labels: list[Label], examples: dict[str, list[str]]) -> list[Label]:
    """The labels with the user's examples added; unknown labels become new ones.

    >>> found = with_examples([Label("bags", ("lost luggage",))], {"bags": ["bag gone"],
    ...                                                            "no-wifi": ["wifi is down"]})
    >>> [(label.id, label.phrases, label.examples) for label in found]
    [('bags', ('lost luggage',), ('bag gone',)), ('no-wifi', ('no wifi',), ('wifi is down',))]
    """
    known = {label.id for label in labels}
    extended = [
        dataclasses.replace(lb, examples=lb.examples + tuple(examples.get(lb.id, ())))
        for lb in labels
    ]
    extended += [
        Label(name, (name.replace("_", " ").replace("-", " "),), examples=tuple(texts))
        for name, texts in examples.items()
        if name not in known
    ]
    return extended


def _rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            missing = {"text", "task", "label"} - set(reader.fieldnames or [])
            if missing:
                raise InvalidInput(
                    f"{path} lacks the column(s) {', '.join(sorted(missing))}",
                    hint="a labels file has the columns text,task,label",
                )
            return [(number, row) for number, row in enumerate(reader, 2)]
    except UnicodeDecodeError:
        raise InvalidInput(f"{path} is not UTF-8 text", hint="save it as UTF-8 CSV") from None
