"""LaTeX in paper text as readable Unicode: `$3\\sim 6\\times$` reads as `3∼6×`.

Paper titles and abstracts carry inline math and text-mode markup. `plain_text` converts what
pylatexenc converts faithfully and keeps the rest as written (an unknown macro, unbalanced
braces, an environment), so a reader sees either clean Unicode or the original characters,
never half-converted markup. Read once here, it serves every stage that shows paper text: the
offline engine's extracts and every renderer.

`bibtex_text` reads a BibTeX field the same way, where braces only group and accents are
common (`{\"u}` is ü): the reader's library (select/library.py) is read through it.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache
from typing import Any

from briefgen.core.models import strip_controls

# Math spans: '$$...$$', '\(...\)', and '$...$' by Pandoc's rule: the opening '$' is followed
# by a non-space, the closing one follows a non-space, so '$5 and $10' holds no span; and
# the closing one is not followed by a digit unless the span holds a macro ('2$\times$2' is
# a span, '$5 or 10$2' is not). An escaped '\$' never delimits.
_MATH_SPAN = re.compile(
    r"(?<!\\)\$\$(?P<display>[^$]{1,300}?)(?<!\\)\$\$"
    r"|(?<![\\$])\$(?P<inline>[^\s$](?:[^$]{0,298}?[^\s$\\])?)\$(?!\$)"
    r"|\\\((?P<paren>.{1,300}?)\\\)"
)
# Text-mode markup outside math: the argument is the text.
_TEXT_STYLES = ("textbf|textit|textsl|textsc|texttt|textrm|textsf|textup|textmd|emph|underline"
                "|mbox")  # fmt: skip
_TEXT_MACRO = re.compile(rf"\\(?:{_TEXT_STYLES})\s*\{{([^{{}}\\$]*)\}}")
_TEXT_ESCAPE = re.compile(r"\\([%&_#$ ])")  # '5\%', and 'vs.\ ' (a space LaTeX keeps)
_TEX_QUOTES = re.compile(r"``([^`']{1,300}?)''")


def plain_text(text: str) -> str:
    """The text on one line with its LaTeX as Unicode: math spans converted, text-mode
    markup (`\\textbf{x}`, `5\\%`, ``` ``quoted'' ```) resolved. What does not convert
    cleanly stays as written."""
    text = " ".join(text.split())
    if "$" not in text and "\\" not in text and "``" not in text:
        return text
    out: list[str] = []
    position = 0
    for match in _MATH_SPAN.finditer(text):
        inline = match.group("inline")
        if inline and "\\" not in inline and text[match.end() : match.end() + 1].isdigit():
            continue  # a price: '$5 or 10$2'
        out.append(_text_mode(text[position : match.start()]))
        source = match.group("display") or inline or match.group("paren")
        converted = _math_to_text(source)
        out.append(match.group(0) if converted is None else converted)
        position = match.end()
    out.append(_text_mode(text[position:]))
    return " ".join("".join(out).split())


def _text_mode(text: str) -> str:
    if "\\" in text:
        previous = None
        while previous != text:  # innermost first: \textbf{\emph{x}}
            previous, text = text, _TEXT_MACRO.sub(r"\1", text)
        text = _TEXT_ESCAPE.sub(r"\1", text)
    return _TEX_QUOTES.sub("“\\1”", text) if "``" in text else text


# BibTeX fields ---------------------------------------------------------------------------------

# What BibTeX exports mostly hold, resolved without a LaTeX parser (pylatexenc reads about
# 100 characters a millisecond, seconds for a library with abstracts): accents, special
# letters, escaped characters, text-style macros. Anything else goes to pylatexenc.
_COMBINING = {'"': "\u0308", "'": "\u0301", "`": "\u0300", "^": "\u0302", "~": "\u0303",
              "=": "\u0304", ".": "\u0307", "u": "\u0306", "v": "\u030c", "H": "\u030b",
              "c": "\u0327", "k": "\u0328", "r": "\u030a"}  # fmt: skip
_ACCENT = re.compile(
    r"\\(?P<mark>[\"'`^~=.]|[uvHckr](?![A-Za-z]))\s*"
    r"(?:\{\s*(?P<braced>\\[ij](?![A-Za-z])|[A-Za-z])\s*\}|(?P<bare>\\[ij](?![A-Za-z])|[A-Za-z]))"
)
_LETTERS = {"i": "ı", "j": "ȷ", "l": "ł", "L": "Ł", "o": "ø", "O": "Ø", "ss": "ß", "ae": "æ",
            "AE": "Æ", "oe": "œ", "OE": "Œ", "aa": "å", "AA": "Å"}  # fmt: skip
_LETTER = re.compile(r"\\(ss|ae|AE|oe|OE|aa|AA|[ijlLoO])(?![A-Za-z])(?:\{\}|\s+(?=[A-Za-z]))?")
_BACKSLASH = re.compile(r"\{\\textbackslash\}|\\textbackslash(?:\{\}|\s*)")
_HELD_BACKSLASH = "\ue000"  # a private-use character, while braces and dashes are resolved
_STYLE = re.compile(rf"\\(?:{_TEXT_STYLES})\s*(?=\{{)")
_UNESCAPED_PERCENT = re.compile(r"(?<!\\)%")


def bibtex_text(value: str) -> str:
    """A BibTeX field as plain text: braces, accents ({\\"u} -> ü), escapes (\\%, \\$, \\&)
    and text macros resolved, math as Unicode where it converts cleanly, one line."""
    if not value:
        return ""
    text = _simple_latex(value)
    if text is None:
        source = _UNESCAPED_PERCENT.sub(r"\\%", value)  # '5%' in a field is text, not a comment
        try:
            text = str(_field_converter().latex_to_text(source))
        except Exception:  # pylatexenc's parse errors have no common base
            text = value.replace("{", "").replace("}", "")
    return " ".join(strip_controls(plain_text(text)).split())


def _accent(match: re.Match[str]) -> str:
    base = match.group("braced") or match.group("bare")
    base = {"\\i": "i", "\\j": "j"}.get(base, base)
    return unicodedata.normalize("NFC", base + _COMBINING[match.group("mark")])


def _simple_latex(value: str) -> str | None:
    """`value` with the common markup resolved, or None when other LaTeX is left."""
    text = _ACCENT.sub(_accent, value)
    text = _LETTER.sub(lambda m: _LETTERS[m.group(1)], text)
    text = _STYLE.sub("", _TEXT_ESCAPE.sub(r"\1", text))
    # Zotero writes a backslash of the text (arXiv's "$\\times$") as {\textbackslash}
    text = _BACKSLASH.sub(_HELD_BACKSLASH, text)
    if "\\" in text:
        return None
    text = text.replace("{", "").replace("}", "").replace("~", " ")
    text = text.replace("---", "—").replace("--", "–")
    return text.replace(_HELD_BACKSLASH, "\\")


# math ------------------------------------------------------------------------------------------

_SUPERSCRIPTS = dict(
    zip(
        "0123456789+-−=()abcdefghijklmnoprstuvwxyzABDEGHIJKLMNOPRTUVW",
        "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂ",
        strict=True,
    )
)
_SUBSCRIPTS = dict(
    zip(
        "0123456789+-−=()aehijklmnoprstuvxβγρφχ",
        "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓᵦᵧᵨᵩᵪ",
        strict=True,
    )
)
# Marks that already sit high: x^* is x*, x^\prime is x′.
_HIGH_MARKS = frozenset("*∗′″‴†‡∘⊤")
_TOP = {"⊤": "ᵀ"}
# Placeholders for converted scripts while the rest of the span is converted: private-use
# characters, which LaTeX treats as plain text.
_PLACEHOLDER = 0xE000
_MAX_SCRIPTS = 256
# A LaTeX macro name is ASCII letters: '\hatχ' is '\hat χ' (pylatexenc would read one macro).
_MACRO_THEN_UNICODE = re.compile(r"(\\[A-Za-z]+)(?=[^\x00-\x7f])")


@lru_cache(maxsize=4096)
def _math_to_text(source: str) -> str | None:
    """One math span as Unicode text, or None when it does not convert cleanly (unknown
    macro, unbalanced braces, LaTeX left in the result)."""
    if any(0xE000 <= ord(c) <= 0xF8FF for c in source):
        return None
    source = re.sub(r"(?<!\\)%", r"\\%", source)  # '$99%$': a percent sign, not a comment
    source = _MACRO_THEN_UNICODE.sub(r"\1 ", source)
    try:
        lifted, scripts = _lift_scripts(source)
        text = _nodes_to_text(lifted)
    except Exception:  # _NotConvertible, or any of pylatexenc's parse errors (no common base)
        return None
    for index, script in enumerate(scripts):
        text = text.replace(chr(_PLACEHOLDER + index), script)
    text = " ".join(text.split())
    if not text or "\\" in text or any(0xE000 <= ord(c) <= 0xF8FF for c in text):
        return None
    return text


class _NotConvertible(Exception):
    pass


def _lift_scripts(source: str) -> tuple[str, list[str]]:
    """Replace each '^x', '^{...}', '_x', '_{...}' by a placeholder and convert it apart:
    to Unicode superscripts or subscripts when every character has one (10⁻³, xᵢ), else to
    '^x' or '^(...)'."""
    out: list[str] = []
    scripts: list[str] = []
    i = 0
    while i < len(source):
        char = source[i]
        if char == "\\" and i + 1 < len(source):
            out.append(source[i : i + 2])  # '\_', '\^' and '\\' are not scripts
            i += 2
            continue
        if char not in "^_":
            out.append(char)
            i += 1
            continue
        start = i + 1
        while start < len(source) and source[start] == " ":
            start += 1
        end = _script_end(source, start)
        body = source[start:end]
        if body.startswith("{"):
            body = body[1:-1]
        inner = _math_to_text(body) if body.strip() else ""
        if inner is None or len(scripts) >= _MAX_SCRIPTS:
            raise _NotConvertible(body)
        scripts.append(_script(inner, _SUPERSCRIPTS if char == "^" else _SUBSCRIPTS, char))
        out.append(chr(_PLACEHOLDER + len(scripts) - 1))
        i = end
    return "".join(out), scripts


def _script_end(source: str, start: int) -> int:
    """The end of the script that starts at `start`: a braced group, a macro with the
    braced groups that follow it, or one character."""
    if start >= len(source):
        raise _NotConvertible(source)
    if source[start] == "{":
        return _group_end(source, start)
    if source[start] == "\\":
        end = start + 1
        while end < len(source) and source[end].isalpha():
            end += 1
        end = max(end, start + 2)
        while end < len(source) and source[end] == "{":
            end = _group_end(source, end)
        return end
    return start + 1


def _group_end(source: str, start: int) -> int:
    """The end of the braced group that opens at `start` ('\\{' and '\\}' are not braces)."""
    depth = 0
    index = start
    while index < len(source):
        char = source[index]
        if char == "\\":
            index += 2
            continue
        depth += {"{": 1, "}": -1}.get(char, 0)
        index += 1
        if depth == 0:
            return index
    raise _NotConvertible(source)


def _script(text: str, table: dict[str, str], mark: str) -> str:
    if text and all(c in table for c in text):
        return "".join(table[c] for c in text)
    if mark == "^" and text and all(c in _HIGH_MARKS for c in text):
        return "".join(_TOP.get(c, c) for c in text)
    if re.fullmatch(r"[\w.′]+", text):
        return mark + text
    return f"{mark}({text})"


def _nodes_to_text(source: str) -> str:
    """Convert node by node, so that a macro keeps the space written after it where LaTeX
    would drop it but a reader needs it: after a word (`n \\log n` is `n log n`, not
    `n logn`) and after an operator that has a space before it (`a \\cdot b`)."""
    walker_module, converter = _latex()
    nodes, _, _ = walker_module.LatexWalker(source, tolerant_parsing=False).get_latex_nodes()
    _check_known(nodes, converter)
    parts: list[str] = []
    for index, node in enumerate(nodes):
        text = str(converter.nodelist_to_text([node]))
        if _is_operator_name(node, text, walker_module):
            # A named operator (\log, \max, \sin) stands apart from what it touches, as
            # LaTeX sets it: `n\log n` is `n log n`, `\sin\theta` is `sin θ`.
            before = parts[-1][-1:] if parts else ""
            if before and (before.isalnum() or before in ")]}" or _is_placeholder(before)):
                text = " " + text
            after = str(converter.nodelist_to_text(nodes[index + 1 : index + 2]))[:1]
            if after.isalnum() or (after and node.macro_post_space):
                text += " "
        elif (
            node.isNodeType(walker_module.LatexMacroNode)
            and node.macro_post_space
            and not (node.nodeargd and node.nodeargd.argnlist)
            and index + 1 < len(nodes)
            and (text[-1:].isalnum() or source[node.pos - 1 : node.pos].isspace())
        ):
            text += " "
        parts.append(text)
    return "".join(parts)


def _is_operator_name(node: Any, text: str, walker_module: Any) -> bool:
    """A macro LaTeX sets as an upright word, its own name: `\\log`, `\\max`, `\\sin`."""
    return bool(
        node.isNodeType(walker_module.LatexMacroNode)
        and not (node.nodeargd and node.nodeargd.argnlist)
        and len(text) > 1
        and text.replace(" ", "") == node.macroname
    )


def _is_placeholder(char: str) -> bool:
    return _PLACEHOLDER <= ord(char) < _PLACEHOLDER + _MAX_SCRIPTS


def _check_known(nodes: list[Any], converter: Any) -> None:
    """Raise unless every macro is one pylatexenc converts: an unknown one would silently
    vanish (`\\hatχ` is read as one macro named 'hatχ')."""
    walker_module, _ = _latex()
    for node in nodes:
        if node is None:
            continue
        if node.isNodeType(walker_module.LatexMacroNode):
            if converter.latex_context.get_macro_spec(node.macroname) is None:
                raise _NotConvertible(node.macroname)
            if node.nodeargd and node.nodeargd.argnlist:
                _check_known(list(node.nodeargd.argnlist), converter)
        elif node.isNodeType(walker_module.LatexGroupNode):
            _check_known(list(node.nodelist), converter)
        elif not node.isNodeType(walker_module.LatexCharsNode) and not node.isNodeType(
            walker_module.LatexSpecialsNode
        ):
            raise _NotConvertible(type(node).__name__)  # environments, comments, nested math


# Macros shown as their argument: alphabets fonts rarely carry (𝒪 would not read as O(n log n))
# and markup pylatexenc does not know.
_PLAIN_ARGUMENT = ("mathcal", "mathscr", "mathfrak", "mathsf", "mathtt", "texttt", "textsc",
                   "operatorname")  # fmt: skip


@cache
def _context() -> Any:
    """pylatexenc's macros, with ours first (imported on first use: most texts hold no
    LaTeX)."""
    from pylatexenc.latex2text import MacroTextSpec, get_default_latex_context_db

    def sqrt(n: Any, l2tobj: Any) -> str:
        argument = str(l2tobj.nodelist_to_text([n.nodeargd.argnlist[-1]]))
        return "√" + argument if len(argument) == 1 else f"√({argument})"

    db = get_default_latex_context_db()
    db.add_context_category(
        "briefgen",
        prepend=True,
        macros=[
            *(MacroTextSpec(name, discard=False) for name in _PLAIN_ARGUMENT),
            MacroTextSpec("sqrt", simplify_repl=sqrt),
        ],
    )
    return db


@cache
def _latex() -> tuple[Any, Any]:
    """pylatexenc's walker module and the converter of math spans, built once."""
    from pylatexenc import latexwalker
    from pylatexenc.latex2text import LatexNodes2Text

    return latexwalker, LatexNodes2Text(latex_context=_context(), math_mode="text")


@cache
def _field_converter() -> Any:
    """The converter of a whole BibTeX field: its math is left as written ($x^2$) for
    `plain_text` to turn into Unicode (x²) where that is clean."""
    from pylatexenc.latex2text import LatexNodes2Text

    return LatexNodes2Text(latex_context=_context(), math_mode="verbatim")
