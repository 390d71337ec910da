"""The printed material's languages: a complete Spanish catalog, strict look-ups, locale numbers and dates, and
help lines that say what the dashboard's frame says."""

from __future__ import annotations

import re
from datetime import date

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from paths import ROOT

from app import stats
from app.printing import brief, i18n
from data_sources.dictionary import FLAGS

PLACEHOLDER = re.compile(r"\{[a-z_]*\}")


def extracted() -> set[str]:
    """Every message the printing code and templates ask for, found as `make messages` finds them."""
    method_map = [("**.py", "python"), ("templates/**.html", "jinja2")]
    found = extract_from_dir(ROOT / "app" / "printing", method_map, keywords={"_": None, "N_": None}, comment_tags=())
    return {str(message) for _filename, _lineno, message, _comments, _context in found}


def test_every_message_and_flag_definition_has_a_spanish_translation():
    spanish = i18n.language("es").messages
    wanted = extracted() | set(FLAGS.values())
    assert len(wanted) > 150
    missing = sorted(wanted - set(spanish))
    assert not missing, f"add to {i18n.catalog_path('es')}: {missing}"


def test_the_catalog_has_no_fuzzy_or_empty_entries_and_keeps_every_placeholder():
    with i18n.catalog_path("es").open("rb") as handle:
        catalog = read_po(handle)
    for message in catalog:
        if not message.id:
            continue
        assert message.string and not message.fuzzy, message.id
        assert sorted(PLACEHOLDER.findall(str(message.string))) == sorted(PLACEHOLDER.findall(str(message.id))), (
            message.id
        )


def test_an_unsupported_language_is_refused_by_name():
    with pytest.raises(i18n.UnsupportedLanguage, match=r"'fr'.*en, es"):
        i18n.language("fr")


def test_a_missing_translation_is_an_error_naming_it_never_english():
    with pytest.raises(i18n.MissingTranslation, match=r"no 'es' translation for 'Not in the catalog'.*messages\.po"):
        i18n.language("es").gettext("Not in the catalog")
    assert i18n.language("en").gettext("Not in the catalog") == "Not in the catalog"


@pytest.mark.parametrize(
    ("code", "number", "decimal", "day"),
    [("en", "107,941", "7.2", "November 29, 2026"), ("es", "107,941", "7.2", "29 de noviembre de 2026")],
)
def test_numbers_and_dates_follow_the_locale(code, number, decimal, day):
    lang = i18n.language(code)
    assert lang.number(107941.0) == number
    assert lang.number(7.153, 1) == decimal
    assert lang.short_number(19.0, 2) == "19" and lang.short_number(7.153, 2) == "7.15"
    assert lang.date(date(2026, 11, 29)) == day


def test_help_lines_carry_the_frames_numbers_in_both_languages():
    from app.frame import HELP_MARKDOWN

    for code in ("en", "es"):
        lines = i18n.help_lines(i18n.language(code))
        contacts = [line.contact for line in lines]
        assert contacts == ["988", i18n.HELPLINE_NUMBER, i18n.NALOXONE_URL, "911"]
        for contact in contacts:
            assert contact in HELP_MARKDOWN
    spanish = " ".join(f"{line.name} {line.how}" for line in i18n.help_lines(i18n.language("es")))
    assert "oprima 2 para español" in spanish and "988 Lifeline" in spanish and "en español" in spanish


def test_rank_reasons_printed_are_the_ones_stats_gives():
    assert set(brief.STATUS_WORDS) == set(stats._STATUS_WORDS.values())


def test_every_flag_has_a_short_printed_label():
    assert set(FLAGS) <= set(brief.FLAG_LABELS)
