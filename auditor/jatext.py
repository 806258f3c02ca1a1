"""How Japanese text is written: words run together, so no space between a word and its particle.

A message template puts a space after a placeholder ("{unit} の"); when the value is a Japanese word
(農林課, 令和7年度) the space reads as a typo 「農林課 の」. After ASCII (an ID, a number, a host name)
the space stays: 「PC-0017 が」 reads better so."""
from __future__ import annotations

import re

_PARTICLE = re.compile(r"(?<=[\u3005\u3040-\u30ff\u4e00-\u9fff\uff10-\uff5a）」』】]) "
                       r"(?=の|が|に|を|で|と|は|へ|も|や|から|まで|より)")


def tighten(text: str) -> str:
    """Japanese text without a space between a word and its particle (の、が、に…)."""
    return _PARTICLE.sub("", text) if " " in text else text
