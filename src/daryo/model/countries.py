"""The ISO 3166-1 alpha-3 country codes, against which a model's ``country`` attributes are checked (a typo, UZK
for UZB, would make a country of its own in every table by country)."""

from __future__ import annotations

import re

__all__ = ["ISO_3166_ALPHA_3", "is_country_code", "country_code_meant", "region_country_name"]

#: the officially assigned codes of ISO 3166-1 (249; the ISO Online Browsing Platform, www.iso.org/obp, 2024)
ISO_3166_ALPHA_3 = frozenset("""
ABW AFG AGO AIA ALA ALB AND ARE ARG ARM ASM ATA ATF ATG AUS AUT AZE
BDI BEL BEN BES BFA BGD BGR BHR BHS BIH BLM BLR BLZ BMU BOL BRA BRB BRN BTN BVT BWA
CAF CAN CCK CHE CHL CHN CIV CMR COD COG COK COL COM CPV CRI CUB CUW CXR CYM CYP CZE
DEU DJI DMA DNK DOM DZA
ECU EGY ERI ESH ESP EST ETH
FIN FJI FLK FRA FRO FSM
GAB GBR GEO GGY GHA GIB GIN GLP GMB GNB GNQ GRC GRD GRL GTM GUF GUM GUY
HKG HMD HND HRV HTI HUN
IDN IMN IND IOT IRL IRN IRQ ISL ISR ITA
JAM JEY JOR JPN
KAZ KEN KGZ KHM KIR KNA KOR KWT
LAO LBN LBR LBY LCA LIE LKA LSO LTU LUX LVA
MAC MAF MAR MCO MDA MDG MDV MEX MHL MKD MLI MLT MMR MNE MNG MNP MOZ MRT MSR MTQ MUS MWI MYS MYT
NAM NCL NER NFK NGA NIC NIU NLD NOR NPL NRU NZL
OMN
PAK PAN PCN PER PHL PLW PNG POL PRI PRK PRT PRY PSE PYF
QAT
REU ROU RUS RWA
SAU SDN SEN SGP SGS SHN SJM SLB SLE SLV SMR SOM SPM SRB SSD STP SUR SVK SVN SWE SWZ SXM SYC SYR
TCA TCD TGO THA TJK TKL TKM TLS TON TTO TUN TUR TUV TWN TZA
UGA UKR UMI URY USA UZB
VAT VCT VEN VGB VIR VNM VUT
WLF WSM
YEM
ZAF ZMB ZWE
""".split())

#: the codes ISO 3166-1 leaves to its users (AAA-AAZ, QMA-QZZ, XAA-XZZ, ZZA-ZZZ: Kosovo's XKX, a region of one's own)
_USER_ASSIGNED = re.compile(r"AA[A-Z]|Q[M-Z][A-Z]|X[A-Z]{2}|ZZ[A-Z]")


def is_country_code(code: str) -> bool:
    """Whether ``code`` is an ISO 3166-1 alpha-3 code, assigned or left to its users.

    Parameters
    ----------
    code
        Three capital letters, as a model's ``country`` gives them.

    Returns
    -------
    bool
    """
    return code in ISO_3166_ALPHA_3 or _USER_ASSIGNED.fullmatch(code) is not None


#: the region's countries (Central Asia, Afghanistan and their neighbours) by their ISO 3166-1 alpha-2 codes and their
#: names, in English and Russian, as a modeller of the region may write them instead of the alpha-3 code (a Chu-Talas
#: modeller's review: ``country: KZ`` and ``country: Kyrgyzstan`` were refused without the code meant)
_REGION = {
    "KAZ": ("KZ", "Kazakhstan", "Kazakstan", "Qazaqstan", "Казахстан"),
    "KGZ": ("KG", "Kyrgyzstan", "Kyrgyz Republic", "Kirghizia", "Kirgizia", "Kyrgyzia", "Кыргызстан", "Киргизия"),
    "TJK": ("TJ", "Tajikistan", "Tadjikistan", "Tadzhikistan", "Таджикистан"),
    "TKM": ("TM", "Turkmenistan", "Туркменистан", "Туркмения"),
    "UZB": ("UZ", "Uzbekistan", "Узбекистан"),
    "AFG": ("AF", "Afghanistan", "Афганистан"),
    "IRN": ("IR", "Iran", "Islamic Republic of Iran", "Иран"),
    "PAK": ("PK", "Pakistan", "Пакистан"),
    "CHN": ("CN", "China", "People's Republic of China", "Китай"),
    "RUS": ("RU", "Russia", "Russian Federation", "Россия"),
    "MNG": ("MN", "Mongolia", "Монголия"),
    "AZE": ("AZ", "Azerbaijan", "Азербайджан"),
}
_MEANT = {w.casefold(): code for code, written in _REGION.items() for w in written}


def country_code_meant(written: str) -> str | None:
    """The ISO 3166-1 alpha-3 code ``written`` most likely means, where it is not one: the code in capital letters
    (``kgz``), or of the region's countries (Central Asia, Afghanistan and their neighbours) the one whose alpha-2
    code (``KZ``) or name (``Kyrgyzstan``, ``Кыргызстан``) it is; None for anything else.

    Parameters
    ----------
    written
        A model's ``country``, as written.

    Returns
    -------
    str or None
    """
    text = " ".join(str(written).split())
    if re.fullmatch(r"[A-Za-z]{3}", text) and is_country_code(text.upper()):
        return text.upper()
    return _MEANT.get(text.casefold())


def region_country_name(code: str) -> str | None:
    """The English name of one of the region's countries (:func:`country_code_meant`) by its alpha-3 ``code``
    (``KAZ``: Kazakhstan); None for another code."""
    written = _REGION.get(code)
    return written[1] if written else None
