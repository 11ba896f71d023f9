"""Kialo's plain-text export: converted to an Argmap JSON document, then imported all or nothing."""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from argmap.imports import MapImportError, import_map
from argmap.imports.kialo import to_argmap_json
from argmap.models import Map, Node, NodeKind, Relation

SAMPLE = Path(__file__).parent / "data" / "kialo_sample.txt"


def sample_text() -> str:
    return SAMPLE.read_text(encoding="utf-8")


def problems_of(text: str) -> list[str]:
    with pytest.raises(MapImportError) as caught:
        to_argmap_json(text)
    return caught.value.problems


def texts(document: dict) -> dict[str, str]:
    return {node["key"]: node["text"] for node in document["nodes"]}


def edges(document: dict) -> list[tuple[str, str, str]]:
    return [(r["child"], r["parent"], r["stance"]) for r in document["relations"]]


# The sample, by Kialo number: what each line becomes.
SAMPLE_CLAIMS = {
    "1.1": "Belarus let Russian troops cross its territory into Ukraine in February 2022 [1].\n\nSources:\n"
           "[1] Reuters, report on the troops crossing from the north, 24 February 2022, "
           "https://www.reuters.com/world/europe/",
    "1.1.1": "Letting troops pass is not the same as fighting: the Belarusian army itself stayed at home.",
    "1.1.1.1": "Minsk repeated that no Belarusian soldier would fight in Ukraine [2].\n\nSources:\n"
               "[2] BelTA (state news agency), March 2022",
    "1.1.2": "Since 2023 Belarus also hosts Russian tactical nuclear weapons ☢️.",
    "1.2": "The Union State treaty of 1999 ties the two countries together:\n"
           "a customs union, common programmes and Russian credit lines.\n"
           "1995. That is the year the first friendship treaty was signed.",
    "1.2.1": "Lukashenko has bargained hard over every [road map] of deeper integration:\n"
             "1. over oil duties,\n2. over the gas price,\n3. over a common currency.",
    "1.2.1.1": "-> See the 2020 protests: after them Minsk needed Moscow more than ever.",
    "1.3": "Minsk has never formally recognised Crimea as part of Russia.",
    "1.4": "Лукашэнка не раз гандляваўся з Масквой за цану газу — «братэрства» мае свой кошт 💸🇧🇾",
    "1.4.1": "Gas for Belarus stayed far cheaper than in the EU "
             "(Gazprom annual report (https://www.gazprom.com/investors/)).",
    "1.4.2": "Note: the bargaining ended each time with Minsk signing what Moscow wanted.",
}
SAMPLE_RELATIONS = [
    ("1.1", "1", "support"),
    ("1.1.1", "1.1", "oppose"),
    ("1.1.1.1", "1.1.1", "support"),
    ("1.3", "1.1.1", "support"),  # "1.1.1.2. Pro: -> See 1.3." places 1.3 here too
    ("1.1.2", "1.1", "support"),
    ("1.2", "1", "support"),
    ("1.2.1", "1.2", "oppose"),
    ("1.2.1.1", "1.2.1", "oppose"),
    ("1.3", "1", "oppose"),
    ("1.4", "1", "oppose"),
    ("1.4.1", "1.4", "support"),
    ("1.4.2", "1.4", "oppose"),
]


def test_it_converts_the_sample_to_an_argmap_document():
    document = to_argmap_json(sample_text())

    assert document["format"] == "argmap" and document["version"] == 1
    assert document["map"]["title"] == "Is Belarus a loyal ally of Russia?"
    assert [node["key"] for node in document["nodes"] if node["kind"] == "thesis"] == ["1"]
    assert texts(document) == {"1": "Belarus is a loyal ally of Russia.", **SAMPLE_CLAIMS}
    assert edges(document) == SAMPLE_RELATIONS


def test_it_makes_a_link_a_second_relation_not_a_second_node():
    document = to_argmap_json(sample_text())

    assert "1.1.1.2" not in texts(document)
    assert [(parent, stance) for child, parent, stance in edges(document) if child == "1.3"] == [
        ("1.1.1", "support"), ("1", "oppose")]


def test_it_reads_windows_and_old_mac_line_ends_and_a_byte_order_mark_alike():
    plain = to_argmap_json(sample_text())

    assert to_argmap_json("\ufeff" + sample_text().replace("\n", "\r\n")) == plain
    assert to_argmap_json(sample_text().replace("\n", "\r")) == plain


def test_it_keeps_a_numbered_list_inside_a_claim_as_its_text():
    document = to_argmap_json(
        "1. Belarus depends on Russia.\n"
        "1.1. Pro: Three reasons:\n1. gas\n2. loans\n3. the army\n"
        "2. Belarus keeps its options open.\n"
        "2.1. Con: It has no other market.\n"
    )

    assert texts(document)["1.1"] == "Three reasons:\n1. gas\n2. loans\n3. the army"
    assert [n["key"] for n in document["nodes"] if n["kind"] == "thesis"] == ["1", "2"]
    assert edges(document) == [("1.1", "1", "support"), ("2.1", "2", "oppose")]


def test_it_names_the_map_after_the_thesis_when_the_header_is_missing():
    document = to_argmap_json("1. Minsk will stay with Moscow.\n1.1. Con: It has before.\n")

    assert document["map"]["title"] == "Minsk will stay with Moscow."
    assert edges(document) == [("1.1", "1", "oppose")]


def test_it_shortens_a_title_too_long_for_a_map():
    document = to_argmap_json("Discussion Title: " + "Лукашэнка " * 40 + "\n\n1. A thesis.\n")

    assert len(document["map"]["title"]) == 200
    assert document["map"]["title"].endswith("…")


def test_it_reads_a_multi_thesis_discussion_with_its_question():
    document = to_argmap_json(
        "Discussion Title: Belarus and Russia\n\n"
        "1. What should Belarus do about the Union State?\n"
        "1.1. Stay in it.\n"
        "1.1.1. Pro: Gas stays cheap.\n"
        "1.2. Leave it.\n"
        "1.2.1. Con: -> See 1.1.1.\n"
    )

    assert document["map"] == {"title": "Belarus and Russia",
                               "question": "What should Belarus do about the Union State?"}
    assert [(n["key"], n["kind"]) for n in document["nodes"]] == [("1.1", "thesis"), ("1.1.1", "claim"),
                                                                  ("1.2", "thesis")]
    assert edges(document) == [("1.1.1", "1.1", "support"), ("1.1.1", "1.2", "oppose")]


def test_it_reads_several_top_level_theses():
    document = to_argmap_json(
        "Discussion Title: Two theses\n\n"
        "1. Belarus is hedging.\n1.1. Pro: It trades with China too.\n"
        "2. Belarus is a loyal ally.\n2.1. Con: -> See 1.1.\n"
    )

    assert [n["key"] for n in document["nodes"] if n["kind"] == "thesis"] == ["1", "2"]
    assert edges(document) == [("1.1", "1", "support"), ("1.1", "2", "oppose")]


def test_it_finds_footnotes_in_one_sources_list_at_the_end():
    document = to_argmap_json(
        "Discussion Title: X\n\n"
        "1. Thesis [1]\n"
        "1.1. Pro: First [2]\n"
        "1.2. Con: Second [1] and an escaped \\[3\\]\n"
        "Sources:\n[1] https://example.org/one\n[2]: https://example.org/two\n"
    )

    assert texts(document) == {
        "1": "Thesis [1]\n\nSources:\n[1] https://example.org/one",
        "1.1": "First [2]\n\nSources:\n[2] https://example.org/two",
        "1.2": "Second [1] and an escaped [3]\n\nSources:\n[1] https://example.org/one",
    }


def test_it_keeps_an_uncited_source_with_the_claim_it_is_listed_under():
    document = to_argmap_json("1. Thesis\n1.1. Pro: A claim\nSources:\n[4] A book nobody cites\n")

    assert texts(document)["1.1"] == "A claim\n\nSources:\n[4] A book nobody cites"


def test_it_lists_every_problem_with_its_line_number():
    problems = problems_of(
        "Discussion Title: Broken on purpose\n"   # 1
        "\n"                                      # 2
        "1. Thesis\n"                             # 3
        "1.2 Pro: missing dot\n"                  # 4
        "1..3. Con: double dot\n"                 # 5
        "1.4.Pro: no space\n"                     # 6
        "1.5. Maybe: unknown stance word\n"       # 7
        "1.6. no stance at all\n"                 # 8
        "1.7. Pro:\n"                             # 9
        "1.8.1. Con: parent missing\n"            # 10
        "1.9. Con: -> See 1.42.\n"                # 11
        "1.10. Pro: cites [3] nowhere listed\n"   # 12
        "1.11. Pro: fine\n"                       # 13
        "1.11.1. Con: -> See 1.11.\n"             # 14
        "1.11.2. Pro: -> See 1.\n"                # 15
        "1.11.3. Con: fine\n"                     # 16
        "1.11.3.1. Pro: -> See 1.11.\n"           # 17
        "1.11. Con: the same number again\n"      # 18
        "1.12. Con: -> See 1.11.3.\n"             # 19 (fine: a second place for 1.11.3)
        "1.13. Pro: -> See 1.11.3.\n"             # 20
    )

    assert [problem.split(":")[0] for problem in problems] == [f"line {n}" for n in (4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 15, 17, 18, 20)]
    expected = ["malformed numbering", "malformed numbering", "malformed numbering", "unknown stance “Maybe:”",
                "has no stance", "has no text", "no claim numbered 1.8", "links to 1.42., which does not exist",
                "footnote [3]", "stand under itself", "a thesis cannot stand under a claim",
                "which stands under 1.11. already", "used twice", "where it stands already"]
    for problem, words in zip(problems, expected, strict=True):
        assert words in problem


@pytest.mark.parametrize(
    "text, line, words",
    [
        ("", 0, "No thesis found"),
        ("Discussion Title: Only a title\n\n", 0, "No thesis found"),
        ("Discussion Title: X\n\nSome words\n1. Thesis\n", 3, "comes before the thesis"),
        ("Discussion Title: X\n\n1.1. Pro: a claim first\n", 3, "must be the thesis"),
        ("1. Pro: a thesis with a stance\n", 1, "top-level thesis"),
        ("1. Thesis\n1.1. Pro: -> See 1.2.\n1.2. Con: -> See 1.1.\n", 2, "leads round to itself"),
        ("1. Thesis\n1.1. Pro: x\n1.1.1. Pro: y\n1.1.1.1. Con: -> See 1.1.\n", 4, "go round in a circle"),
        ("1. Thesis\n1.2. Pro: -> See 1.2.1.1.\n1.2.1. Pro: y\n1.2.1.1. Con: z\n", 3, "go round in a circle"),
        ("1. Thesis\n1.1. Pro: a\n1.2. Con: -> See 1.1.\n", 3, "where it stands already"),
        ("1. Q?\n1.1. A thesis\n1.2. Pro: a claim beside it\n", 2, "has no stance"),
        ("1. Q?\n1.1. Contra: a claim\n1.2. Pro: a claim\n", 2, "unknown stance “Contra:”"),
        ("1. Thesis\n1.1. Pro: a [1]\nSources:\n", 3, "no entries"),
        ("1. Thesis\n1.1. Pro: a [1]\nSources:\n[1] x\n[1] y\n", 5, "listed twice"),
        ("1. Thesis\n1.1. Pro: a [1]\nSources:\n1. not in brackets\n[1] x\n", 4, "number in brackets"),
        ("1. Thesis\n1.1. Pro: a\x00b\n", 2, "NUL"),
        ("1. Thesis\n1.1. Pro: a \ud800 lone surrogate\n", 2, "not valid Unicode"),
        ("1. Thesis\n1.1. Pro: " + "я" * 2001 + "\n", 2, "at most 2,000"),
        ("1. Thesis\n1.1. Pro: " + "я" * 1990 + " [1]\nSources:\n[1] https://example.org/\n", 2, "with its sources"),
    ],
)
def test_it_refuses_a_malformed_file(text, line, words):
    problems = problems_of(text)

    prefix = f"line {line}: " if line else ""
    assert any(problem.startswith(prefix) and words in problem for problem in problems), problems


# Through the importer, into the database.


def counts() -> tuple[int, int, int]:
    return Map.objects.count(), Node.objects.count(), Relation.objects.count()


def relations_by_text(map_) -> list[tuple[str, str, str]]:
    return sorted(Relation.objects.filter(map=map_).values_list("child__text", "parent__text", "stance"))


@pytest.mark.django_db
def test_it_imports_the_sample_as_a_new_map(teacher):
    result = import_map(SAMPLE.read_bytes(), format="kialo", user=teacher)

    map_ = result.map
    assert map_.title == "Is Belarus a loyal ally of Russia?" and map_.owner == teacher
    assert list(map_.nodes.filter(kind=NodeKind.THESIS).values_list("text", flat=True)) == [
        "Belarus is a loyal ally of Russia."]
    assert sorted(map_.nodes.filter(kind=NodeKind.CLAIM).values_list("text", flat=True)) == sorted(SAMPLE_CLAIMS.values())
    text_of = {"1": "Belarus is a loyal ally of Russia.", **SAMPLE_CLAIMS}
    assert relations_by_text(map_) == sorted(
        (text_of[child], text_of[parent], stance) for child, parent, stance in SAMPLE_RELATIONS)
    crimea = map_.nodes.get(text=SAMPLE_CLAIMS["1.3"])
    assert sorted(crimea.parent_links.values_list("parent__text", "stance")) == [
        ("Belarus is a loyal ally of Russia.", "oppose"), (SAMPLE_CLAIMS["1.1.1"], "support")]


@pytest.mark.django_db
def test_it_imports_a_file_with_a_byte_order_mark_and_windows_line_ends(teacher):
    data = b"\xef\xbb\xbf" + SAMPLE.read_bytes().replace(b"\n", b"\r\n")

    map_ = import_map(data, format="kialo", user=teacher).map

    assert map_.title == "Is Belarus a loyal ally of Russia?"
    assert map_.nodes.count() == 1 + len(SAMPLE_CLAIMS)
    assert not map_.nodes.filter(text__contains="\r").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data, words",
    [
        (SAMPLE.read_bytes().replace(b"1.3. Con:", b"1.3. Contra:"), "line 22: unknown stance “Contra:”"),
        (SAMPLE.read_bytes() + b"1.9.1. Pro: \xd0\xbe\xd0\xb9\n1.5. Con: -> See 1.7.\n", "line 27: 1.5. links to 1.7., which does not exist"),
        (SAMPLE.read_bytes().replace("Лукашэнка".encode(), "Лукашэнка".encode("cp1251")), "line 23) are not valid UTF-8"),
        (SAMPLE.read_bytes().decode().encode("utf-16"), "not UTF-8"),
    ],
)
def test_it_saves_nothing_from_a_file_with_problems(teacher, demo_map, data, words):
    before = counts()

    with pytest.raises(MapImportError) as caught:
        import_map(data, format="kialo", user=teacher)

    assert any(words in problem for problem in caught.value.problems), caught.value.problems
    assert counts() == before


@pytest.mark.django_db
def test_it_imports_from_the_command_line_printing_the_code(teacher, capsys):
    call_command("import_map", str(SAMPLE), "--format", "kialo", "--owner", teacher.username)

    code = capsys.readouterr().out.strip()
    map_ = Map.objects.get(code=code)
    assert map_.owner == teacher and map_.nodes.count() == 1 + len(SAMPLE_CLAIMS)
    assert map_.relations.count() == len(SAMPLE_RELATIONS)


@pytest.mark.django_db
def test_it_reports_every_problem_from_the_command_line_and_saves_nothing(teacher, tmp_path, capsys):
    broken = tmp_path / "broken.txt"
    broken.write_bytes(SAMPLE.read_bytes().replace(b"1.2.1. Con:", b"1.2.1 Con:").replace(b"-> See 1.3.", b"-> See 1.8."))
    before = counts()

    with pytest.raises(CommandError):
        call_command("import_map", str(broken), "--format", "kialo", "--owner", teacher.username)

    output = capsys.readouterr()
    assert output.out == ""
    assert "line 12: 1.1.1.2. links to 1.8., which does not exist" in output.err
    assert "line 17: malformed numbering" in output.err
    assert counts() == before
