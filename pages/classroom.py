"""Lesson mode: the classroom deck (``lessons/deck.toml``) one idea per screen, in projector type.

Numbers on the slides are computed from the project's tables (``app.lesson.deck.facts``); the slide shown is in the
URL (``?slide=heroin``), so a teacher can link straight to it. Presenter notes stay hidden unless asked for.
The same lesson downloads as one HTML file that plays with no network (``app.lesson.pack``).
"""

from functools import partial

import streamlit as st

from app import cached, frame, permalink, ui
from app.lesson.deck import DeckError, MissingFigure

frame.require_frame()

try:
    deck = cached.lesson_deck()
except MissingFigure as problem:
    st.title("Lesson mode")
    st.warning(
        f"The lesson cannot be shown with the data this dashboard has now: {str(problem).rstrip('.')}. "
        "The lesson quotes that figure, so it waits until the data have it again; the other pages show "
        "everything the data do have.",
        icon=":material/warning:",
    )
    frame.help_line()
    st.stop()
except DeckError as problem:
    st.title("Lesson mode")
    st.error(f"The lesson file (lessons/deck.toml) cannot be used: {problem}")
    st.stop()

ids = tuple(slide.id for slide in deck)
specs: dict[str, permalink.Spec] = {
    "slide": permalink.Choice(ids, ids[0]),
    "lang": permalink.Choice(("en", "es"), "en"),
}
cleaned = permalink.clean({k: st.query_params.get_all(k) for k in st.query_params if k in specs}, specs)
lang = str(cleaned.values["lang"])
index = ids.index(str(cleaned.values["slide"]))
slide = deck[index]


def go_to(target: int) -> None:
    """Move to another slide: its id goes into the URL; its answer starts hidden again."""
    st.query_params["slide"] = ids[target]
    st.session_state.pop(f"revealed_{ids[target]}", None)


def reveal(slide_id: str) -> None:
    """Show the answer of a "predict, then reveal" slide."""
    st.session_state[f"revealed_{slide_id}"] = True


# Projector type for this page only: the style element leaves with the page.
st.html(
    """<style>
    [data-testid="stMain"] h1 { font-size: 2.8rem !important; line-height: 1.1; padding: 0.2rem 0 0.4rem; }
    [data-testid="stMain"] .stMarkdown p, [data-testid="stMain"] .stMarkdown li { font-size: 1.5rem; line-height: 1.3; }
    [data-testid="stMain"] button p { font-size: 1.25rem; }
    [data-testid="stMain"] [data-testid="stCaptionContainer"] p { font-size: 1.05rem; }
    [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"] { display: none; }
    .st-key-prev_pageup, .st-key-next_pagedown { display: none; }
    [data-testid="stMain"] button kbd { opacity: 1; color: inherit; border-color: currentColor; }
    [data-testid="stMainBlockContainer"] { padding-top: 3.5rem; padding-bottom: 1rem; }
    </style>"""
)
ui.url_notice(cleaned.ignored)

top = st.columns([3, 2, 2, 2])
with top[0]:
    st.caption(f"Lesson mode · slide {index + 1} of {len(deck)}")
with top[1]:
    show_notes = st.toggle("Show presenter notes", key="notes", help="Keep this off on the projected screen.")
with top[2]:
    st.download_button(
        "Offline lesson (HTML)",
        cached.lesson_pack_html,  # built when clicked (deferred), so a visit does not pay for 5 MB
        file_name="overdose-lesson.html",
        mime="text/html",
        icon=":material/download:",
        help="One file with every slide and chart; opens in any browser, no internet.",
    )
with top[3]:
    if cached.can_print():
        with st.popover("Worksheet and answer key (PDF)", icon=":material/print:"):
            st.markdown(
                "A student worksheet and a teacher's answer key with computed answers, vocabulary, grade band, "
                "minutes and standards. Add `?lang=es` to the address for Spanish."
            )
            for document, label in (("worksheet", "Student worksheet"), ("answer_key", "Answer key")):
                name = f"{document}.pdf" if lang == "en" else f"{document}.{lang}.pdf"
                st.download_button(
                    f"{label} ({'English' if lang == 'en' else 'Español'})",
                    partial(cached.lesson_kit_pdf, lang, name),
                    file_name=name,
                    mime="application/pdf",
                    key=f"kit_{document}",
                )

st.title(slide.title)
revealed = not slide.predict or st.session_state.get(f"revealed_{slide.id}", False)
if slide.predict:
    st.warning(f"**Predict:** {slide.predict}", icon=":material/psychology_alt:")
    if not revealed:
        # A callback, not the button's return value: the rerun then starts revealed, so the button is gone.
        st.button(
            "Reveal the answer",
            type="primary",
            key=f"reveal_{slide.id}",
            on_click=reveal,
            args=(slide.id,),
            shortcut="Enter",
        )
if revealed:
    st.markdown(slide.reveal)
    figure = cached.lesson_figure(slide.id)
    if figure is not None:
        st.plotly_chart(figure, key=f"chart_{slide.id}", config={"displaylogo": False})
sources = "; ".join(f"[{title}]({url})" for title, url in cached.lesson_sources(slide.id))
st.caption(f"Source: {sources}.")
if show_notes:
    st.info(f"**Presenter notes.** {slide.notes}", icon=":material/speaker_notes:")

nav = st.columns([1, 1, 3])
with nav[0]:
    st.button(
        "Previous",
        on_click=go_to,
        args=(index - 1,),
        disabled=index == 0,
        icon=":material/arrow_back:",
        width="stretch",
        shortcut="Left",
    )
    # Presentation clickers send PageUp and PageDown: twins of the two buttons, hidden, take those keys.
    st.button("Previous", key="prev_pageup", on_click=go_to, args=(index - 1,), disabled=index == 0, shortcut="PageUp")
with nav[1]:
    st.button(
        "Next",
        on_click=go_to,
        args=(index + 1,),
        disabled=index == len(deck) - 1,
        type="primary",
        icon=":material/arrow_forward:",
        width="stretch",
        shortcut="Right",
    )
    st.button(
        "Next",
        key="next_pagedown",
        on_click=go_to,
        args=(index + 1,),
        disabled=index == len(deck) - 1,
        shortcut="PageDown",
    )
st.query_params["slide"] = slide.id
if lang != "en":
    st.query_params["lang"] = lang
