"""The KIPRIS preset: applicant splitting, English titles, and rows to technology records."""

from __future__ import annotations

from pathlib import Path

import pytest

from techbridge.services.ingest.kipris import is_individual, map_kipris, split_applicants, split_title
from techbridge.services.ingest.reading import read_table

HEADER = (
    "특허명 TEXT,IPC넘버,출원인  NGRAM,출원번호 NUMERIC,출원날짜DATETIME,등록번호 NUMERIC,등록일자DATETIME,"
    "공개번호 NUMERIC,공개일자 DATETIME,대리인 NGRAM,발명가 KEYWORD,설명, STORED,,,,"
)
# Invented rows in the shape of the crawled KIPRIS list (values modelled on real records).
ROW = (
    '"스프레이 분사를 이용한 슈퍼커패시터용 3차원 그래핀 전극의 제조방법(PREPARATION METHOD OF 3D GRAPHENE '
    "ELECTRODE FOR SUPERCAPACITOR USING SPRAY DISCHARGE)\",\"['H01G 11/86 H01G 11/32  .... ', "
    "'H01G 11/86|H01G 11/32|H01G 11/46|B05D 1/12|B05D 3/02']\",인천대학교 산학협력단 에이치씨테크(주),"
    "1020160138184, 2016.10.24,1018463630000, 2018.04.02, , ,특허법인 가나,안호선 김지훈 이길원 최홍 심규현,"
    '"본 발명은 그래핀 전극에 관한 것이다.",,,,'
)


@pytest.mark.parametrize(
    ("applicants", "names"),
    [
        ("한국화학연구원 인천대학교 산학협력단", ["한국화학연구원", "인천대학교 산학협력단"]),
        ("서울대학교산학협력단 인천대학교 산학협력단", ["서울대학교산학협력단", "인천대학교 산학협력단"]),
        ("인천대학교 산학협력단 (주)진우에프티", ["인천대학교 산학협력단", "(주)진우에프티"]),
        ("인천대학교 산학협력단 에이치씨테크(주)", ["인천대학교 산학협력단", "에이치씨테크(주)"]),
        ("인천대학교 산학협력단 공정애", ["인천대학교 산학협력단", "공정애"]),
        ("에스엠티 주식회사 인천대학교 산학협력단", ["에스엠티 주식회사", "인천대학교 산학협력단"]),
        ("인천대학교 산학협력단 주식회사 에스엠티", ["인천대학교 산학협력단", "주식회사 에스엠티"]),
        ("재단법인 서울테크노파크 인천대학교", ["재단법인 서울테크노파크", "인천대학교"]),
        ("인천대학교", ["인천대학교"]),
    ],
)
def test_split_applicants(applicants: str, names: list[str]) -> None:
    assert split_applicants(applicants) == names


def test_individual_applicants_are_told_from_organisations() -> None:
    assert is_individual("공정애")
    assert not is_individual("인천대학교 산학협력단")
    assert not is_individual("에스엠티")  # no common surname first
    assert not is_individual("한국화학연구원")


def test_split_title_takes_the_english_title_in_the_last_parentheses() -> None:
    assert split_title("장치(DEVICE (A) FOR B)") == ("장치", "DEVICE (A) FOR B")
    assert split_title("장치(주변 기기)") == ("장치(주변 기기)", None)
    assert split_title("장치") == ("장치", None)


def test_a_kipris_row_becomes_a_technology_with_owners_and_inventors(tmp_path: Path) -> None:
    path = tmp_path / "inu.csv"
    path.write_bytes(f"{HEADER}\n{ROW}\n".encode("cp949"))
    mapped = map_kipris(read_table(path))
    assert mapped.problems == []
    (record,) = mapped.records
    values = record.values
    assert record.key == "KR1020160138184"
    assert values["title"].endswith("제조방법")
    assert values["title_en"].startswith("PREPARATION METHOD")
    assert values["codes"] == ["H01G 11/86", "H01G 11/32", "H01G 11/46", "B05D 1/12", "B05D 3/02"]
    assert values["status"] == "registered"
    assert str(values["application_date"]) == "2016-10-24"
    assert "publication_date" not in values
    assert [owner["name"] for owner in values["owners"]] == ["인천대학교 산학협력단", "에이치씨테크(주)"]
    assert [owner["kind"] for owner in values["owners"]] == ["university", "company"]
    assert [person["key"] for person in values["inventors"]][:2] == ["inv:안호선", "inv:김지훈"]


def test_plain_korean_headers_work_and_bad_rows_are_listed(tmp_path: Path) -> None:
    path = tmp_path / "inu.csv"
    rows = [
        "특허명,IPC넘버,출원인,출원번호,출원날짜,공개번호,발명가",
        "센서(SENSOR),['G06F 40/20'],인천대학교 산학협력단 공정애,"
        "1020200000001,2020.01.02,1020210000001,공정애",
        "센서2,,인천대학교 산학협력단,1020200000002,2020.13.45,,김가",
        "센서3,,인천대학교 산학협력단,1020200000001,2020.01.03,,김가",
    ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    mapped = map_kipris(read_table(path))
    assert mapped.problems == [
        "inu.csv:3: 출원날짜: not a date: '2020.13.45'",
        "inu.csv:4: 출원번호: duplicate key 'KR1020200000001' (also on line 2)",
    ]
    first = mapped.records[0].values
    assert first["status"] == "published"
    assert [owner["name"] for owner in first["owners"]] == ["인천대학교 산학협력단"]


def test_missing_key_column_is_one_problem(tmp_path: Path) -> None:
    path = tmp_path / "inu.csv"
    path.write_text("특허명,출원인\n센서,인천대학교\n", encoding="utf-8")
    assert map_kipris(read_table(path)).problems == ["inu.csv:1: 출원번호: required column missing"]
