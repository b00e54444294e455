"""Map files: bad input gets a clear error; saving keeps what people wrote."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cjm.errors import InvalidInput, InvalidMap
from cjm.model import Stage, load_journey, read_document, save_journey
from cjm.model.files import MAX_DEPTH, guess_indent
from cjm.model.io import dump_journey, journey_from_document

COMMENTED = """\
# Our checkout journey. Reviewed every quarter.
id: checkout   # the id never changes
name: Checkout
stages:
    # the first stage
    -   id: purchase
        name: Purchase   # keep it short
        emotion: 1
    -   id: onboarding
        name: Onboarding
"""


def _only_error(path: Path) -> str:
    with pytest.raises(InvalidMap) as caught:
        load_journey(path)
    (diagnostic,) = caught.value.diagnostics
    return diagnostic.format()


def test_missing_file_says_so(tmp_path: Path):
    path = tmp_path / "nope.yaml"
    assert _only_error(path) == f"{path}: error: no such file: {path} — check the path"


def test_empty_file_suggests_init(tmp_path: Path):
    path = tmp_path / "empty.yaml"
    path.write_text("\n\n", encoding="utf-8")
    assert _only_error(path) == (
        f"{path}: error: the file is empty — start one with 'cjm init NAME'"
    )


def test_a_50_megabyte_file_is_refused_before_reading(tmp_path: Path):
    path = tmp_path / "huge.yaml"
    with path.open("wb") as stream:
        stream.truncate(50 * 1024 * 1024)
    assert _only_error(path) == (
        f"{path}: error: file is 52.4 MB; a journey map is at most 5 MB — is this the right "
        "file? Event logs and feedback are evidence, not journey maps"
    )


def test_a_binary_file_is_refused(tmp_path: Path):
    path = tmp_path / "picture.yaml"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert _only_error(path) == (
        f"{path}: error: this is a binary file, not a YAML or JSON journey map — give a text file"
    )


def test_non_utf8_bytes_are_located(tmp_path: Path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("id: cafe\nname: Caf\xe9\n".encode("latin-1"))
    assert _only_error(path) == (
        f"{path}:2:10: error: the file is not UTF-8 text (byte 0xe9 cannot be decoded) — "
        "save the file as UTF-8"
    )


def test_a_utf8_byte_order_mark_is_accepted(tmp_path: Path):
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + COMMENTED.encode("utf-8"))
    assert load_journey(path).id == "checkout"


@pytest.mark.parametrize("depth", [MAX_DEPTH + 5, 5000])
def test_deeply_nested_files_are_refused(tmp_path: Path, depth: int):
    path = tmp_path / "deep.yaml"
    path.write_text("id: " + "[" * depth + "]" * depth + "\n", encoding="utf-8")
    assert _only_error(path) == (
        f"{path}: error: the file is nested more than {MAX_DEPTH} levels deep; a journey map "
        "is not — is this the right file?"
    )


def test_alias_expansion_bombs_are_refused(tmp_path: Path):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 8)]
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert _only_error(path) == (
        f"{path}: error: the file expands to more than 500,000 values — YAML anchors and "
        "aliases multiply content: write the map out plainly"
    )


def test_several_documents_in_one_file_are_refused(tmp_path: Path):
    path = tmp_path / "two.yaml"
    path.write_text("id: a\n---\nid: b\n", encoding="utf-8")
    assert _only_error(path) == (
        f"{path}: error: the file holds several YAML documents; cjm reads one journey per "
        "file — split it into one file per journey"
    )


def test_a_folder_is_not_a_map(tmp_path: Path):
    assert _only_error(tmp_path) == (
        f"{tmp_path}: error: {tmp_path} is a folder, not a file — give the path of a map file"
    )


def test_invalid_map_error_message_names_the_single_problem(tmp_path: Path):
    path = tmp_path / "m.yaml"
    path.write_text("id: x\nname: X\nstages: []\n", encoding="utf-8")
    with pytest.raises(InvalidMap) as caught:
        load_journey(path)
    assert caught.value.message == f"{path}: 'stages' must not be empty"
    assert isinstance(caught.value, ValueError)


# Saving -----------------------------------------------------------------------------------


def test_saving_an_unchanged_journey_into_its_document_is_byte_identical(tmp_path: Path):
    path = tmp_path / "m.yaml"
    path.write_text(COMMENTED, encoding="utf-8")
    document = read_document(path)
    assert dump_journey(journey_from_document(document), "yaml", like=document) == COMMENTED


def test_quotes_and_long_lines_are_kept_as_written(tmp_path: Path):
    long = "A customer goal written on one long line, " * 4
    text = COMMENTED.replace("name: Checkout", f'name: "Checkout"\ndescription: {long.strip()}')
    path = tmp_path / "m.yaml"
    path.write_text(text, encoding="utf-8")
    document = read_document(path)
    assert dump_journey(journey_from_document(document), "yaml", like=document) == text


def test_saving_an_edited_journey_keeps_comments_key_order_and_indentation(tmp_path: Path):
    path = tmp_path / "m.yaml"
    path.write_text(COMMENTED, encoding="utf-8")
    document = read_document(path)
    journey = journey_from_document(document)
    journey.stages[0].emotion = 2
    journey.stages.append(Stage(id="use", name="Use"))
    save_journey(journey, path, like=document)
    assert path.read_text(encoding="utf-8") == COMMENTED.replace("emotion: 1", "emotion: 2") + (
        "    -   id: use\n        name: Use\n"
    )
    assert load_journey(path) == journey


def test_a_new_key_goes_where_the_model_puts_it(tmp_path: Path):
    path = tmp_path / "m.yaml"
    path.write_text(COMMENTED, encoding="utf-8")
    document = read_document(path)
    journey = journey_from_document(document)
    journey.purpose = "Fewer abandoned carts"
    text = dump_journey(journey, "yaml", like=document)
    assert "name: Checkout\npurpose: Fewer abandoned carts\nstages:" in text


def test_json_files_keep_their_key_order_and_indent(tmp_path: Path):
    data = {"name": "J", "id": "j", "stages": [{"name": "A", "id": "a"}]}
    path = tmp_path / "m.json"
    path.write_text(json.dumps(data, indent=4) + "\n", encoding="utf-8")
    document = read_document(path)
    assert dump_journey(journey_from_document(document), "json", like=document) == (
        path.read_text(encoding="utf-8")
    )


def test_a_fresh_yaml_file_loads_back_equal(tmp_path: Path):
    journey = load_journey(_commented(tmp_path))
    for name in ("fresh.yaml", "fresh.json"):
        save_journey(journey, tmp_path / name)
        assert load_journey(tmp_path / name) == journey


def test_saving_never_leaves_a_half_written_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    path = _commented(tmp_path)
    journey = load_journey(path)

    def broken_replace(*_: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("cjm.model.files.Path.replace", broken_replace)
    with pytest.raises(InvalidInput) as caught:
        save_journey(journey, path)
    assert caught.value.message == f"cannot write {path}: No space left on device"
    assert path.read_text(encoding="utf-8") == COMMENTED
    assert [p.name for p in tmp_path.iterdir()] == ["m.yaml"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (COMMENTED, (4, 8, 4)),
        ("a:\n  b: 1\nc:\n  - x\n", (2, 4, 2)),
        ("a:\n  b: 1\nc:\n- x\n", (2, 2, 0)),
        ("a: 1\n", (2, 4, 2)),
    ],
)
def test_indentation_is_guessed_from_the_file(text: str, expected: tuple[int, int, int]):
    assert guess_indent(text) == expected


def test_saving_into_a_missing_folder_says_so(tmp_path: Path):
    journey = load_journey(_commented(tmp_path))
    target = tmp_path / "no" / "such" / "map.yaml"
    with pytest.raises(InvalidInput) as caught:
        save_journey(journey, target)
    assert caught.value.message == f"cannot write {target}: No such file or directory"


def _commented(folder: Path) -> Path:
    path = folder / "m.yaml"
    path.write_text(COMMENTED, encoding="utf-8")
    return path
