"""Characters that show as nothing, as the body of a regular-expression character class.

Unicode's default-ignorable code points (zero-width space and joiners, word joiner, byte-order mark,
soft hyphen, bidirectional controls, Hangul fillers, variation selectors, tags), plus the interlinear
annotation controls and the blank Braille pattern, which also print as nothing. Pasted into a
spreadsheet cell they make an ID differ from its look-alike, an empty-looking cell count as filled,
and a My Number slip past its detector.
"""
from __future__ import annotations

CLASS = ("\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f"
         "\u2800\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufffb\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
         "\U000e0000-\U000e0fff")
