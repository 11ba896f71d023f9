"""Finding a pasted quote in a source: exact, forgiving typography, then a few typos."""

import random
from pathlib import Path

import pytest

from argmap import anchoring
from argmap.anchoring import QuoteAmbiguous, QuoteNotFound, find

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def seed(number: str) -> str:
    (path,) = SEEDS.glob(f"{number}_*.txt")
    return path.read_bytes().decode("utf-8")


def found_at(text: str, match: anchoring.Match, start: int, end: int) -> None:
    assert text[match.start : match.end] == match.exact
    assert (match.start, match.end) == (start, end)


# Exact ----------------------------------------------------------------------------------------


def test_it_finds_an_exact_passage_of_a_seed_with_nothing_to_report():
    text = seed("003")
    passage = "Belarus President Aleksandr Lukashenko allowed his country to be used as the launching pad"
    match = find(text, passage)
    found_at(text, match, text.index(passage), text.index(passage) + len(passage))
    assert match.method == "exact" and match.differences == [] and match.error_rate == 0


def test_it_ignores_white_space_around_what_was_pasted():
    text = seed("003")
    passage = "the launching pad for the invasion of Ukraine"
    match = find(text, f"\n  {passage} \t\n")
    found_at(text, match, text.index(passage), text.index(passage) + len(passage))
    assert match.method == "exact"


# Typography -------------------------------------------------------------------------------------


def test_it_finds_curly_quotes_and_apostrophes_typed_straight():
    text = seed("003")
    real = "Zelenskiy stated, “With [Russian President Vladimir] Putin’s ambitions"
    match = find(text, "Zelenskiy stated, \"With [Russian President Vladimir] Putin's ambitions")
    found_at(text, match, text.index(real), text.index(real) + len(real))
    assert match.exact == real
    assert match.method == "typography" and match.error_rate == 0
    assert match.differences == ["curly quotes where you typed straight ones"]


def test_it_finds_a_straight_apostrophe_typed_curly():
    # Seed 004 repeats this photo caption; the position picks the second one.
    text = seed("004")
    real = "the governor of Guangdong's residence in Guangzhou"
    second = text.index(real, text.index(real) + 1)
    match = find(text, "the governor of Guangdong’s residence in Guangzhou", position=second)
    found_at(text, match, second, second + len(real))
    assert match.differences == ["straight quotes where you typed curly ones"]


def test_it_finds_a_passage_across_a_line_break_typed_with_a_space():
    text = seed("002")
    real = "that geopolitics can only envy.\nBelarus isn’t just Russia’s"
    match = find(text, "that geopolitics can only envy. Belarus isn’t just Russia’s")
    found_at(text, match, text.index(real), text.index(real) + len(real))
    assert match.differences == ["line breaks where you typed spaces"]


def test_it_finds_a_passage_with_a_non_breaking_space_typed_as_a_space():
    text = seed("004")
    real = "Foreign Policy. Twitter:\xa0@ak_mack"
    match = find(text, "Foreign Policy. Twitter: @ak_mack")
    found_at(text, match, text.index(real), text.index(real) + len(real))
    assert match.differences == ["non-breaking or other special spaces where you typed ordinary ones"]


def test_it_finds_a_passage_across_a_paragraph_break_with_a_non_breaking_space():
    text = seed("004")
    real = "in Washington last week.\xa0\n\nWhile Belarus is awash"
    match = find(text, "in   Washington last week. While Belarus is awash")
    found_at(text, match, text.index(real), text.index(real) + len(real))
    assert "line breaks where you typed spaces" in match.differences
    assert "non-breaking or other special spaces where you typed ordinary ones" in match.differences


def test_it_forgives_letter_case():
    text = seed("003")
    real = "Belarus and the Ukraine War\nIn February 2022"
    match = find(text, "BELARUS AND THE UKRAINE WAR in february 2022")
    found_at(text, match, text.index(real), text.index(real) + len(real))
    assert match.differences == ["letter case", "line breaks where you typed spaces"]


def test_it_forgives_dashes_typed_as_hyphens():
    text = seed("003")
    at = text.index("—")
    real = text[at - 20 : at + 20]
    match = find(text, real.replace("—", "-"))
    found_at(text, match, at - 20, at + 20)
    assert match.differences == ["dashes where you typed hyphens"]


def test_it_ignores_invisible_characters_in_the_source_and_in_the_quote():
    text = "Intro. The rail\u00adway sabo\u200btage cut supply lines. End."
    match = find(text, "the railway sabotage\ufeff cut supply lines")
    found_at(text, match, 7, text.index(". End"))
    assert match.exact == "The rail\u00adway sabo\u200btage cut supply lines"
    assert "invisible characters (soft hyphens or zero-width spaces) in the source" in match.differences
    assert "invisible characters in what you pasted" in match.differences


def test_it_matches_an_ellipsis_typed_as_three_dots():
    text = "He said: wait… and see."
    match = find(text, "wait... and see")
    found_at(text, match, 9, 22)
    assert match.differences == ["an ellipsis character (…) where you typed three dots"]


def test_it_matches_decomposed_accents_to_composed_ones():
    text = "Lukashenko met the cafe\u0301 owners in Minsk."
    match = find(text, "the café owners")
    found_at(text, match, 15, 31)
    assert match.differences == ["accented letters encoded differently"]


def test_it_does_not_cut_an_accent_off_a_letter():
    text = "Lukashenko met the cafe\u0301 owners."
    with pytest.raises(QuoteNotFound):
        find(text, "the CAFE")


# Case folding that changes the length: offsets stay in the original ---------------------------


SHARP_S = "Die Straße in İstanbul war voll, sagte der Mann am Abend."


def test_it_matches_sharp_s_to_double_s_with_the_original_offsets():
    match = find(SHARP_S, "STRASSE")
    found_at(SHARP_S, match, 4, 10)
    assert match.exact == "Straße" and match.differences == ["letter case"]


def test_it_matches_dotted_capital_i_to_a_plain_i():
    match = find(SHARP_S, "in istanbul")
    found_at(SHARP_S, match, 11, 22)
    assert match.exact == "in İstanbul"


def test_offsets_after_sharp_s_and_dotted_i_are_those_of_the_original():
    match = find(SHARP_S, "SAGTE DER MANN")
    found_at(SHARP_S, match, SHARP_S.index("sagte"), SHARP_S.index(" am"))
    typo = find(SHARP_S, "war voll, sagte der Man am Abend")
    found_at(SHARP_S, typo, SHARP_S.index("war"), SHARP_S.index("."))
    assert typo.method == "fuzzy"


def test_it_does_not_match_half_of_a_sharp_s():
    with pytest.raises(QuoteNotFound):
        find(SHARP_S, "die stras")


# Code points, not UTF-16 units ----------------------------------------------------------------


def test_offsets_are_code_points_after_an_emoji():
    article = seed("003")
    text = "🙂🇧🇾 " + article
    passage = "Lukashenko allowed his country to be used as the launching pad"
    expected = text.index(passage)
    assert expected == article.index(passage) + 4  # three astral code points and a space
    assert len(text[:expected].encode("utf-16-le")) // 2 == expected + 3  # what a browser would count
    for typed, method in [
        (passage, "exact"),
        (passage.upper(), "typography"),
        (passage.replace("country", "contry"), "fuzzy"),
    ]:
        match = find(text, typed)
        assert match.method == method
        found_at(text, match, expected, expected + len(passage))


# Repeated passages -----------------------------------------------------------------------------

REPEATED = "When Russia launched an attempted lightning assault on the Ukrainian capital, Kyiv, in February"


def test_it_asks_which_one_when_a_paragraph_repeats():
    text = seed("004")
    first = text.index(REPEATED)
    second = text.index(REPEATED, first + 1)
    with pytest.raises(QuoteAmbiguous) as error:
        find(text, REPEATED, source_name="Foreign Policy article")
    assert error.value.starts == [first, second]
    message = error.value.messages[0]
    assert "occurs 2 times" in message and "“Foreign Policy article”" in message and "Choose" in message
    occurrences = error.value.occurrences
    assert [(o.start, o.end) for o in occurrences] == [(first, first + len(REPEATED)), (second, second + len(REPEATED))]
    assert occurrences[0].before.endswith("Russia’s War in Ukraine")
    assert occurrences[1].before.endswith("Putin’s war on Ukraine.")
    assert occurrences[0].after.startswith(", neighboring Belarus")
    assert len(occurrences[1].before) <= anchoring.CHOICE_CONTEXT_LENGTH


def test_position_picks_the_nearest_occurrence():
    text = seed("004")
    first = text.index(REPEATED)
    second = text.index(REPEATED, first + 1)
    found_at(text, find(text, REPEATED, position=second - 30), second, second + len(REPEATED))
    found_at(text, find(text, REPEATED, position=first + 10), first, first + len(REPEATED))
    found_at(text, find(text, REPEATED, position=0), first, first + len(REPEATED))
    typed = find(text, REPEATED.upper(), position=second + 500)  # the same at the typography level
    found_at(text, typed, second, second + len(REPEATED))
    assert typed.method == "typography"


def test_prefix_or_suffix_picks_the_occurrence_they_fit():
    text = seed("004")
    first = text.index(REPEATED)
    second = text.index(REPEATED, first + 1)
    match = find(text, REPEATED, prefix="Russia’s War in Ukraine\n\n")
    found_at(text, match, first, first + len(REPEATED))
    match = find(text, REPEATED, prefix="war on Ukraine. ")  # typed, not copied: straight spaces
    found_at(text, match, second, second + len(REPEATED))
    end_of_second = text.index("Putin’s war on Ukraine.", second) + len("Putin’s war on Ukraine.")
    whole = text[second:end_of_second]
    match = find(text, whole, suffix="\n\nIn the early phases")
    found_at(text, match, second, end_of_second)


def test_context_that_fits_both_occurrences_still_asks():
    text = seed("004")
    with pytest.raises(QuoteAmbiguous):
        find(text, REPEATED, suffix=", neighboring Belarus served")


def test_a_repeated_passage_with_a_typo_is_ambiguous_too_and_position_decides():
    text = seed("004")
    typed = REPEATED.replace("lightning", "lightening")
    with pytest.raises(QuoteAmbiguous) as error:
        find(text, typed)
    assert len(error.value.occurrences) == 2
    second = error.value.starts[1]
    match = find(text, typed, position=len(text))
    found_at(text, match, second, second + len(REPEATED))
    assert match.method == "fuzzy"


def test_the_old_ambiguity_constructor_still_works():
    error = QuoteAmbiguous("Twice.", [1, 5])
    assert error.starts == [1, 5] and error.occurrences == [] and error.messages == ["Twice."]


# Fuzzy -------------------------------------------------------------------------------------------


def test_it_finds_a_passage_with_a_typo_and_says_what_differs():
    text = seed("001")
    real = text[text.index("Lukashenko") :][:120]
    start = text.index(real)
    words = real.split(" ")
    typo_word = max(words[2:-2], key=len)
    typed = real.replace(typo_word, typo_word[:-1], 1)
    match = find(text, typed)
    found_at(text, match, start, start + len(real))
    assert match.method == "fuzzy"
    assert 0 < match.error_rate <= 0.1
    assert f"you typed “{typo_word[:-1]}” where the source says “{typo_word}”" in match.differences


def test_it_finds_a_passage_with_two_typos_and_typographic_differences():
    text = seed("004")
    real = "their soldiers filled Belarus’s hospitals and morgues. When the Russians withdrew from the Kyiv region"
    typed = "their soldiers filled Belarus's hospitls and morgues. When the Russians withdrew from Kyiv region"
    match = find(text, typed, source_name="Foreign Policy article")
    found_at(text, match, text.index(real), text.index(real) + len(real))
    assert match.differences == [
        "you typed “hospitls” where the source says “hospitals”",
        "the source has “the”, which you left out",
        "curly quotes where you typed straight ones",
    ]
    assert match.error_rate == pytest.approx(5 / len(typed))


def test_it_refuses_a_passage_with_too_many_errors():
    text = seed("004")
    typed = "Their soldeirs filed Belaruses hospital's and morgue, wen the Rusians withdraw"
    with pytest.raises(QuoteNotFound, match="is not in “Foreign Policy article”"):
        find(text, typed, source_name="Foreign Policy article")


def test_a_stricter_error_rate_refuses_what_the_default_accepts():
    text = seed("004")
    typed = "their soldiers filled Belarus's hospitls and morgues"
    real = "their soldiers filled Belarus’s hospitals and morgues"
    match = find(text, typed)
    found_at(text, match, text.index(real), text.index(real) + len(real))
    assert match.method == "fuzzy"
    with pytest.raises(QuoteNotFound):
        find(text, typed, max_error_rate=0.01)


def test_short_quotes_never_match_fuzzily():
    text = seed("004")
    assert "Belarus" in text
    with pytest.raises(QuoteNotFound):
        find(text, "Belaruss")


def test_fuzzy_search_agrees_with_plain_dynamic_programming_on_random_texts():
    rng = random.Random(5)
    for _ in range(300):
        text = "".join(rng.choice("abcd ") for _ in range(rng.randint(1, 80)))
        pattern = "".join(rng.choice("abcd") for _ in range(rng.randint(1, 70)))
        anywhere = anchoring._edit_scores(pattern, text)
        assert [score for _, score in anywhere] == _distances(pattern, text, anchored=False)
        from_start = anchoring._edit_scores(pattern, text, anchored=True)
        assert [score for _, score in from_start] == _distances(pattern, text, anchored=True)
        limited = anchoring._edit_scores(pattern, text, limit=2)
        assert limited == [(i, score) for i, score in anywhere if score <= 2]


def _distances(pattern: str, text: str, anchored: bool) -> list[int]:
    """Edit distance of `pattern` to the best stretch of `text` ending at each position
    (Sellers), or with `anchored` to the stretch from the start."""
    column = list(range(len(pattern) + 1))
    found = []
    for j, ch in enumerate(text, 1):
        previous, column[0] = column[0], j if anchored else 0
        for i, wanted in enumerate(pattern, 1):
            previous, column[i] = column[i], min(column[i] + 1, column[i - 1] + 1, previous + (ch != wanted))
        found.append(column[-1])
    return found


def test_it_finds_random_seed_passages_with_random_typos_where_they_are():
    rng = random.Random(3)
    for number in ["000", "001", "002", "003", "004"]:
        text = seed(number)
        for _ in range(25):
            length = rng.randint(40, 300)
            start = rng.randrange(len(text) - length)
            passage = text[start : start + length]
            if passage != passage.strip() or passage.count(" ") < 3:
                continue
            typed = list(passage)
            for _ in range(rng.randint(1, max(1, length // 60))):
                at = rng.randrange(1, len(typed) - 1)
                typed[at : at + 1] = rng.choice(["", "x", typed[at] + "y", "q"])
            match = find(text, "".join(typed), position=start)
            assert text[match.start : match.end] == match.exact
            assert match.method in ("typography", "fuzzy", "exact")
            assert abs(match.start - start) <= 2 and abs(match.end - (start + length)) <= 2, (passage, typed)


# Letters, spaces and typography that fold in every way find() knows.
MESSY = ["a", "b", " ", "\n", "\xa0", "\u200b", "\u00ad", "ß", "SS", "İ", "i"]
MESSY += ["’", "'", "—", "-", "é", "e\u0301", "🙂", "…"]


def test_matches_on_messy_unicode_always_name_the_sources_own_characters():
    rng = random.Random(8)
    for _ in range(400):
        text = "".join(rng.choice(MESSY) for _ in range(rng.randint(5, 60)))
        start = rng.randrange(len(text))
        quote = text[start : start + rng.randint(1, 30)]
        quote = "".join(ch.upper() if rng.random() < 0.3 else ch for ch in quote)
        try:
            match = find(text, quote, position=start)
        except (QuoteNotFound, QuoteAmbiguous):
            continue
        assert text[match.start : match.end] == match.exact
        assert 0 <= match.start < match.end <= len(text)
        if match.method != "fuzzy":
            assert folded(match.exact) == folded(quote)


def folded(text: str) -> str:
    return anchoring._fold(text.strip(), decompose=True).text.strip(" ")


# Refusals -----------------------------------------------------------------------------------------


def test_it_names_the_source_when_the_passage_is_not_there():
    with pytest.raises(QuoteNotFound) as error:
        find(seed("004"), "Belarus has joined the European Union", source_name="Foreign Policy article")
    assert error.value.messages == [
        "The passage “Belarus has joined the European Union” is not in “Foreign Policy article”. "
        "Check for typos or paste it again from the source."
    ]


@pytest.mark.parametrize("empty", ["", "   ", "\n\t\xa0\u3000", "\u200b \u00ad"])
def test_it_refuses_an_empty_quote(empty):
    with pytest.raises(QuoteNotFound, match="The quote is empty"):
        find(seed("000"), empty)


def test_it_refuses_a_quote_longer_than_the_source():
    text = seed("000")
    with pytest.raises(QuoteNotFound, match="more than the whole of “Blog post”"):
        find(text, text + " and more", source_name="Blog post")


@pytest.mark.parametrize("bad", ["nul\x00byte in the quote", "lone \ud800 surrogate in the quote"])
def test_it_refuses_a_quote_that_no_source_can_contain(bad):
    with pytest.raises(QuoteNotFound, match="NUL character or invalid Unicode"):
        find(seed("000"), bad)


def test_an_exact_match_does_not_cut_an_accent_off_its_letter():
    text = "Lukashenko met the cafe\u0301 owners."
    with pytest.raises(QuoteNotFound):
        find(text, "the cafe")
    match = find(text, "Lukashenko met the cafe")  # long enough to allow one edit: the accent
    found_at(text, match, 0, text.index(" owners"))
    assert match.method == "fuzzy"


# Typos in long quotes, in long texts and in other scripts ----------------------------------------


def with_typos(passage: str, count: int, rng: random.Random) -> str:
    """`count` typos (a letter left out, changed or doubled) in the middle 80% of the passage, so
    that where it starts and ends is not in doubt."""
    chars = list(passage)
    for _ in range(count):
        at = rng.randrange(len(chars) // 10, len(chars) * 9 // 10)
        chars[at : at + 1] = rng.choice([[], ["q"], [chars[at], chars[at]]])
    return "".join(chars)


@pytest.mark.parametrize("length", [60, 300, 1000, 2900])
def test_quotes_of_any_length_with_a_typo_every_hundred_characters_land_on_their_passage(length):
    rng = random.Random(length)
    for number in ["003", "004"]:
        text = seed(number)
        for _ in range(4):
            start = rng.randrange(len(text) - length)
            passage = text[start : start + length].strip()
            start = text.index(passage, start)
            match = find(text, with_typos(passage, max(1, length // 100), rng), position=start)
            assert match.method == "fuzzy"
            found_at(text, match, start, start + len(passage))


def test_a_long_quote_with_typos_in_a_long_repeated_text_names_every_occurrence_and_takes_the_hinted_one():
    text = "\n\n".join([seed("003"), seed("004")] * 3)
    passage = seed("004")[1000:4000].strip()
    starts = anchoring.occurrences(text, passage)
    typed = with_typos(passage, 30, random.Random(1))
    with pytest.raises(QuoteAmbiguous) as error:
        find(text, typed)
    assert error.value.starts == starts and len(starts) == 3
    match = find(text, typed, position=starts[1] + 50)
    found_at(text, match, starts[1], starts[1] + len(passage))


def test_a_long_quote_lists_its_first_differences_and_counts_the_rest():
    text = seed("003")
    passage = text[2000:3000].strip()
    start = text.index(passage, 2000)
    words = [w for w in passage.split(" ")[2:-2] if w.isalpha() and len(w) > 6]
    changed = words[::3][:6]
    typed = passage
    for word in changed:
        typed = typed.replace(f" {word} ", f" {word[:-1]} ", 1)
    match = find(text, typed)
    found_at(text, match, start, start + len(passage))
    assert match.differences == [f"you typed “{w[:-1]}” where the source says “{w}”" for w in changed[:3]] + [
        "and 3 more differences"
    ]
    assert match.error_rate == pytest.approx(6 / len(typed))


def test_a_long_passage_that_is_not_in_the_source_is_refused_with_the_usual_message():
    elsewhere = seed("003")[3000:6000]
    with pytest.raises(QuoteNotFound) as error:
        find(seed("004"), elsewhere, source_name="Foreign Policy article")
    assert error.value.messages == [
        f"The passage “{anchoring._excerpt(anchoring._collapsed(elsewhere))}” is not in “Foreign Policy article”. "
        "Check for typos or paste it again from the source."
    ]


def test_a_quote_longer_than_the_fuzzy_search_takes_must_be_exact_or_typographic():
    text = "\n\n".join([seed("003"), seed("004")])
    passage = text[100 : 100 + anchoring.FUZZY_MAX_LENGTH + 200].strip()
    assert find(text, passage.upper()).method == "typography"
    with pytest.raises(QuoteNotFound):
        find(text, with_typos(passage, 1, random.Random(2)))


CYRILLIC = (
    "«Мир, который мы строили, рушится», — сказал министр. "
    "Он добавил: «Переговоры в Минске — это последний шанс для всех сторон»."
)


def test_a_cyrillic_quote_with_a_typo_and_straight_quotes_and_hyphens_is_found_and_explained():
    match = find(CYRILLIC, '"Переговоры в Минске - это последний шанс для всех старон"')
    real = "«Переговоры в Минске — это последний шанс для всех сторон»"
    found_at(CYRILLIC, match, CYRILLIC.index(real), CYRILLIC.index(real) + len(real))
    assert match.differences == [
        "you typed “старон\"” where the source says “сторон»”",
        "angle quotes (« ») where you typed straight ones",
        "dashes where you typed hyphens",
    ]


def test_a_typo_with_a_letter_the_source_never_uses_still_matches():
    # A Latin "e" typed in a Cyrillic word, and a Cyrillic "о" typed in English ones (seed 004 is
    # all Latin-1 once folded; seed 003 has a "ł").
    for text, real, typed in [
        (CYRILLIC, "Переговоры в Минске — это последний шанс", "Переговоры в Минске — это послeдний шанс"),
        (seed("003"), "Lukashenko allowed his country to be", "Lukashenko allowed his cоuntry to be"),
        (seed("004"), "the Russians withdrew from the Kyiv region", "the Russians withdrew frоm the Kyiv region"),
    ]:
        match = find(text, typed)
        found_at(text, match, text.index(real), text.index(real) + len(real))
        assert match.error_rate == pytest.approx(1 / len(real))


def test_a_letter_beyond_latin_1_in_an_english_source_counts_as_itself():
    text = seed("003")
    real = "with the Fundacja im. Kazimierza Pułaskiego in Warsaw"
    for typed, edits in [(real.replace("Warsaw", "Warsav"), 1), (real.replace("Pułaskiego", "Pulaskiego"), 1)]:
        match = find(text, typed)
        found_at(text, match, text.index(real), text.index(real) + len(real))
        assert match.error_rate == pytest.approx(edits / len(real))


def test_folded_texts_never_hold_the_characters_that_code_letters_beyond_latin_1():
    every_space = anchoring._FOLDED_AWAY + "\u2028\u3000\u200b"
    for decompose in (False, True):
        folded = anchoring._fold(f"a{every_space}b{every_space[::-1]}c é\u0301", decompose).text
        assert not set(folded) & set(anchoring._FOLDED_AWAY)


def test_a_source_with_thousands_of_different_characters_is_searched_too():
    rng = random.Random(4)
    text = "".join(chr(0x4E00 + rng.randrange(3000)) + ("。" if rng.random() < 0.05 else "") for _ in range(5000))
    assert len(set(text)) > 255  # too many for one byte each: searched in Python
    passage = text[2000:2600]
    typed = with_typos(passage, 5, rng)
    found_at(text, find(text, typed, position=2000), 2000, 2600)
    with pytest.raises(QuoteNotFound):
        find(text, with_typos(text[:600], 80, rng) + "x" * 600)


def test_the_native_search_agrees_with_plain_dynamic_programming_on_random_texts():
    rng = random.Random(6)
    for _ in range(300):
        text = "".join(rng.choice("abcd ") for _ in range(rng.randint(1, 80)))
        pattern = "".join(rng.choice("abcd") for _ in range(rng.randint(1, 70)))
        for anchored in (False, True):
            distances = _distances(pattern, text, anchored=anchored)
            fewest = min(distances)
            ends = [i for i, edits in enumerate(distances) if edits == fewest]
            for engine in (str, str.encode):  # Python integers, then edlib
                assert anchoring._best_ends(engine(pattern), engine(text), anchored=anchored) == (fewest, ends)
                if fewest:
                    limited = anchoring._best_ends(engine(pattern), engine(text), anchored=anchored, limit=fewest - 1)
                    assert limited is None
        whole = _distances(pattern, text, anchored=True)[-1]
        for engine in (str, str.encode):
            assert anchoring._distance(engine(pattern), engine(text), limit=100) == whole
            if whole:
                assert anchoring._distance(engine(pattern), engine(text), limit=whole - 1) == whole
