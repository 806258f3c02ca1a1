"""Whether the PDF can be typeset in Japanese here: fontconfig (where Pango, and so WeasyPrint, finds its
fonts) must offer a font for `:lang=ja`.

Without one, a PDF would come out with every Japanese character as a box (tofu) and exit 0; with no
font at all, Pango crashes while typesetting (segmentation fault, exit 139). Both are refused before
any work, with the package to install. Fontconfig is asked through its library (the one Pango loads,
with the same FONTCONFIG_FILE / FONTCONFIG_PATH), or else through `fc-list`.
"""
from __future__ import annotations

import shutil
import subprocess

from ..errors import InputError

PACKAGES = "fonts-noto-cjk"
HINT = ("install a Japanese font, e.g. `apt-get install fonts-noto-cjk` (Debian/Ubuntu) or the IPAex fonts "
        "(fonts-ipaexfont), then run again")
HINT_JA = "日本語フォントをインストールしてから再実行してください（例: apt-get install fonts-noto-cjk、または IPAex フォント fonts-ipaexfont）"
MESSAGE = "no Japanese (CJK) font is available to fontconfig, so the PDF would print boxes instead of text"
MESSAGE_JA = "日本語（CJK）フォントが見つからないため、PDF の文字が□（豆腐）になります"
_LIBRARIES = ("fontconfig", "libfontconfig.so.1", "libfontconfig-1.dll", "libfontconfig.1.dylib", "fontconfig-1")
_CDEF = """
typedef unsigned char FcChar8;
typedef int FcBool;
typedef struct _FcConfig FcConfig;
typedef struct _FcPattern FcPattern;
typedef struct _FcObjectSet FcObjectSet;
typedef struct { int nfont; int sfont; FcPattern **fonts; } FcFontSet;
FcConfig *FcInitLoadConfigAndFonts(void);
void FcConfigDestroy(FcConfig *config);
FcPattern *FcNameParse(const FcChar8 *name);
void FcPatternDestroy(FcPattern *p);
FcObjectSet *FcObjectSetCreate(void);
FcBool FcObjectSetAdd(FcObjectSet *os, const char *object);
void FcObjectSetDestroy(FcObjectSet *os);
FcFontSet *FcFontList(FcConfig *config, FcPattern *p, FcObjectSet *os);
void FcFontSetDestroy(FcFontSet *s);
int FcPatternGetString(const FcPattern *p, const char *object, int n, FcChar8 **s);
"""


def japanese_families() -> list[str] | None:
    """The font families fontconfig offers for Japanese; None when fontconfig cannot be asked here."""
    families = _from_library()
    return _from_fc_list() if families is None else families


def require_japanese() -> None:
    """Raise InputError (exit 2) when no Japanese font is there; pass when fontconfig cannot be asked
    (WeasyPrint then fails to load, and says so)."""
    if japanese_families() == []:
        raise InputError("--format pdf", MESSAGE, hint=HINT, ja=MESSAGE_JA, hint_ja=HINT_JA)


def _from_library() -> list[str] | None:
    try:
        import cffi  # WeasyPrint's own dependency: there whenever PDF output is
    except ImportError:
        return None
    ffi = cffi.FFI()
    ffi.cdef(_CDEF)
    lib = None
    for name in _LIBRARIES:
        try:
            lib = ffi.dlopen(name)
            break
        except OSError:
            continue
    if lib is None:
        return None
    config = lib.FcInitLoadConfigAndFonts()
    if config == ffi.NULL:  # a configuration fontconfig cannot read: Pango has no fonts either
        return []
    pattern = lib.FcNameParse(b":lang=ja")
    objects = lib.FcObjectSetCreate()
    lib.FcObjectSetAdd(objects, b"family")
    found = lib.FcFontList(config, pattern, objects)
    families = set()
    try:
        if found != ffi.NULL:
            value = ffi.new("FcChar8 **")
            for i in range(found.nfont):
                if lib.FcPatternGetString(found.fonts[i], b"family", 0, value) == 0:  # FcResultMatch
                    families.add(ffi.string(value[0]).decode("utf-8", "replace"))
    finally:
        if found != ffi.NULL:
            lib.FcFontSetDestroy(found)
        lib.FcObjectSetDestroy(objects)
        lib.FcPatternDestroy(pattern)
        lib.FcConfigDestroy(config)
    return sorted(families)


def _from_fc_list() -> list[str] | None:
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    try:
        out = subprocess.run([fc_list, ":lang=ja", "family"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if out.returncode:
        return None
    return sorted({line.split(",")[0].strip() for line in out.stdout.splitlines() if line.strip()})
