"""A saved index's records are read from its file when asked for, exactly as they were saved."""

import os
from pathlib import Path

import pytest

from techbridge.matching import record_file
from techbridge.matching.record import Record
from techbridge.matching.record_file import RecordFile, record_line

RECORDS = [
    Record(
        "p1",
        "알루미늄 다이캐스팅 금형",
        "열처리 공정 G06T 7/00",
        "ko",
        ("B22D 17/00",),
        ("kodaco", "kitech"),
        ("kim",),
        "2021-03-01",
        4,
    ),
    Record(
        "p2", "Isothermal amplification", 'Quotes " and \\ and a\nnewline', "en", (), ("kitech",), (), None
    ),
    Record("p3", "", "", None),
    Record(
        "profile:kitech",
        "한국생산기술연구원",
        "연구 분야: 주조, 다이캐스팅",
        None,
        (),
        ("kitech",),
        profile=True,
    ),
]


def _write(path: Path, records: list[Record], end: str = "\n") -> Path:
    path.write_text("\n".join(record_line(r) for r in records) + end, "utf-8")
    return path


def test_records_come_back_by_row_and_in_order(tmp_path: Path) -> None:
    records = RecordFile(_write(tmp_path / "records.jsonl", RECORDS))
    assert len(records) == 4
    assert [records[0], records[1], records[2], records[3]] == RECORDS
    assert records[-1] == RECORDS[3] and records[1:] == RECORDS[1:] and records[3].profile
    assert list(records) == RECORDS and records == RECORDS
    assert RECORDS == records  # noqa: SIM300 (a list compared with the file: the reflected ==)
    assert records != RECORDS[:2] and records != [*RECORDS[:2], RECORDS[0]]
    with pytest.raises(IndexError):
        records[4]


def test_only_a_profile_line_says_so() -> None:
    """Other records' lines are as they were before profiles existed, and such lines still load."""
    assert '"profile": true' in record_line(RECORDS[3]) and "profile" not in record_line(RECORDS[0])
    assert record_file.parse_record(record_line(RECORDS[0])) == RECORDS[0]


def test_keys_repeated_across_records_are_one_string(tmp_path: Path) -> None:
    records = RecordFile(_write(tmp_path / "records.jsonl", RECORDS))
    assert records[0].organizations[1] is records[1].organizations[0]  # "kitech", interned


@pytest.mark.parametrize("end", ["", "\n\n"])
def test_a_last_line_without_newline_or_trailing_blank_lines_are_read(tmp_path: Path, end: str) -> None:
    assert list(RecordFile(_write(tmp_path / "records.jsonl", RECORDS, end))) == RECORDS
    assert len(RecordFile(_write(tmp_path / "empty.jsonl", [], ""))) == 0


def test_a_file_replaced_by_rename_leaves_the_open_one_readable(tmp_path: Path) -> None:
    path = _write(tmp_path / "records.jsonl", RECORDS)
    records = RecordFile(path)
    os.replace(_write(tmp_path / "new.jsonl", RECORDS[:1]), path)  # as Matcher.save replaces it
    assert records[1] == RECORDS[1] and list(records) == RECORDS
    assert RecordFile(path) == RECORDS[:1]


def test_lines_split_across_reads_are_found_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(record_file, "CHUNK", 5)  # a read ends inside every line, many in one
    records = RecordFile(_write(tmp_path / "records.jsonl", RECORDS, "\n\n"))
    assert len(records) == 4 and list(records) == RECORDS and records[1] == RECORDS[1]
