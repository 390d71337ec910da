"""Languages of the printed kit and brief: the words from a gettext catalog, numbers and dates by Babel.

English is the source language: a message's English text is its id. Spanish words live in
``locales/es/LC_MESSAGES/messages.po`` (a standard gettext catalog, read with Babel at run time, so a fresh
clone needs no compile step). A message with no Spanish translation is an error naming it, never English on a
Spanish page: a reader who chose Spanish must not get a half-translated brief without being told.

Numbers and dates follow the locale through Babel (``format_decimal``, ``format_date``): ``es_US``, Spanish as
written in the United States, keeps the US digit grouping (1,960) that CDC's Spanish pages use, and writes
dates in Spanish ("29 de noviembre de 2026").

The help lines are here, in both languages, from the same sources as the dashboard's frame (``app.frame``):
988 Suicide & Crisis Lifeline (https://988lifeline.org; "press 2 for Spanish"), SAMHSA's National Helpline
(https://www.samhsa.gov/find-help/helplines/national-helpline, answered in English and Spanish) and SAMHSA's
naloxone page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from babel.dates import format_date
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

ROOT = Path(__file__).resolve().parents[2]
LOCALE_DIR = ROOT / "locales"
DOMAIN = "messages"

#: Language code (as in ``?lang=es``) -> Babel locale for numbers and dates.
LOCALES: Mapping[str, str] = {"en": "en_US", "es": "es_US"}

NALOXONE_URL = "https://www.samhsa.gov/substance-use/treatment/overdose-prevention/naloxone"
HELPLINE_NUMBER = "1-800-662-4357"


class UnsupportedLanguage(ValueError):
    """A language the printed material is not written in; the message lists the ones it is."""


class MissingTranslation(KeyError):
    """A message with no translation in the language's catalog; the message names it and the file to edit."""

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True)
class Language:
    """One language's words, numbers and dates."""

    code: str
    locale: str
    messages: Mapping[str, str]  # English message -> translation; empty for English itself
    catalog: Path | None = None

    def gettext(self, message: str) -> str:
        """``message`` in this language; :class:`MissingTranslation` when the catalog lacks it."""
        if self.code == "en":
            return message
        found = self.messages.get(message)
        if not found:
            raise MissingTranslation(
                f"no {self.code!r} translation for {message!r}; add it to {self.catalog} (msgid / msgstr)"
            )
        return found

    def number(self, value: float, decimals: int = 0) -> str:
        """``value`` with the locale's grouping and decimal signs, to ``decimals`` places (1,960 or 7.2)."""
        pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
        return format_decimal(value, format=pattern, locale=self.locale)

    def short_number(self, value: float, decimals: int) -> str:
        """Up to ``decimals`` places, dropping trailing zeros (19 rather than 19.00, 7.15 as 7.15)."""
        pattern = "#,##0" + ("." + "#" * decimals if decimals else "")
        return format_decimal(value, format=pattern, locale=self.locale)

    def percent(self, value: float, decimals: int = 0) -> str:
        """A percentage already in percent (12.5 -> "12.5%"), written the locale's way."""
        return self.gettext("{number}%").format(number=self.number(value, decimals))

    def date(self, day: date) -> str:
        """A date in words ("November 29, 2026", "29 de noviembre de 2026")."""
        return format_date(day, format="long", locale=self.locale)


def catalog_path(code: str) -> Path:
    """Where language ``code``'s catalog lives."""
    return LOCALE_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def language(code: str) -> Language:
    """The language for ``code`` ("en", "es"); :class:`UnsupportedLanguage` for any other."""
    if code not in LOCALES:
        raise UnsupportedLanguage(
            f"language {code!r} is not available for printing; choose one of {', '.join(sorted(LOCALES))}"
        )
    if code == "en":
        return Language(code, LOCALES[code], {})
    path = catalog_path(code)
    return Language(code, LOCALES[code], read_messages(path), path)


def read_messages(path: Path) -> dict[str, str]:
    """The translated messages of a ``.po`` file (fuzzy and empty entries are left out, so they count as
    missing rather than being printed unchecked)."""
    with path.open("rb") as handle:
        catalog = read_po(handle)
    return {
        str(m.id): str(m.string)
        for m in catalog
        if m.id and isinstance(m.id, str) and isinstance(m.string, str) and m.string and not m.fuzzy
    }


def gettext_noop(message: str) -> str:
    """Marks ``message`` for the catalog (``pybabel extract -k N_``) where it is translated later."""
    return message


N_ = gettext_noop


@dataclass(frozen=True)
class HelpLine:
    """One way to get help: what it is, the number or address to reach it, and what it offers."""

    name: str
    contact: str
    how: str


def help_lines(lang: Language) -> tuple[HelpLine, ...]:
    """988, SAMHSA's National Helpline, naloxone and 911, in ``lang`` (see the module notes for sources)."""
    _ = lang.gettext
    return (
        HelpLine(
            _("988 Suicide & Crisis Lifeline"),
            "988",
            _("Call or text, 24 hours a day, 7 days a week. Free and confidential."),
        ),
        HelpLine(
            _("SAMHSA National Helpline"),
            HELPLINE_NUMBER,
            _("Free, confidential treatment referral and information, 24/7, in English and Spanish."),
        ),
        HelpLine(
            _("Naloxone"),
            NALOXONE_URL,
            _("Naloxone reverses an opioid overdose and is sold without a prescription."),
        ),
        HelpLine(_("Emergency"), "911", _("In an emergency, call 911.")),
    )
