"""Vectorised value parsers: text columns -> dates, numbers, yes/no, codes, sex, ages.

Each parser returns the parsed values and leaves reporting to the caller: a value that was
present but could not be parsed becomes NaN/NaT, and ``unparsed(raw, parsed)`` finds those rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


#: Tokens that mean "no value" in police exports.
NA_TOKENS = ("", "na", "n/a", "nan", "null", "(null)", "none", "unknown", "unk", "-", "--", "?",
             "not known", "not available", "nil")

TRUE_TOKENS = {"true", "t", "yes", "y", "1", "1.0", "heinous", "si", "sí", "x", "arrested"}
FALSE_TOKENS = {"false", "f", "no", "n", "0", "0.0", "non heinous", "non-heinous", "nonheinous",
                "not heinous", ""}
SEX_CODES = {"m": "M", "male": "M", "man": "M", "hombre": "M", "masculino": "M", "boy": "M",
             "f": "F", "female": "F", "woman": "F", "mujer": "F", "femenino": "F", "girl": "F",
             "w": "F", "t": "T", "transgender": "T", "third gender": "T"}


def as_text(s: pd.Series) -> pd.Series:
    """Strings with surrounding spaces removed; missing stays missing."""
    if s.dtype == object or pd.api.types.is_string_dtype(s.dtype):
        return s.astype("string").str.strip()
    return s.astype("string")


def clean_text(s: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """(text with non-breaking spaces read as spaces and runs of spaces as one, mask of the
    rows that had a non-breaking space), so one name typed two ways is one value. Works on
    the distinct values, so a million rows of a few hundred names cost little."""
    t = as_text(s)
    if not (t.str.contains("\u00a0", regex=False).any()
            or t.str.contains("  ", regex=False).any()):
        return t, np.zeros(len(t), bool)  # the common case, checked without a regex
    codes, uniques = pd.factorize(t, use_na_sentinel=True)
    u = pd.Series(uniques, dtype="string")
    odd = u.str.contains("\u00a0|\\s\\s", regex=True).fillna(False).to_numpy()
    if not odd.any():
        return t, np.zeros(len(t), bool)
    fixed = u.str.replace("\u00a0", " ", regex=False).str.replace(r"\s+", " ", regex=True) \
        .str.strip()
    out = pd.Series(fixed.to_numpy()[codes], index=t.index, dtype="string").where(codes >= 0)
    nbsp = u.str.contains("\u00a0", regex=False).fillna(False).to_numpy()
    return out, (codes >= 0) & nbsp[np.maximum(codes, 0)]


def is_blank(s: pd.Series) -> pd.Series:
    """True where a value is missing or a "no value" token (NA, unknown, -, ...)."""
    t = as_text(s)
    return (t.isna() | t.str.lower().isin(NA_TOKENS)).fillna(True).astype(bool)


def unparsed(raw: pd.Series, parsed: pd.Series) -> pd.Series:
    """Rows where a value was present in the file but the parser could not read it."""
    return (~is_blank(raw) & parsed.isna()).to_numpy()


def parse_number(s: pd.Series) -> pd.Series:
    """Numbers from text, accepting a decimal comma (-75,5698) or thousands commas (1,234.5)."""
    if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
        return s.astype(float)
    t = as_text(s)
    has_comma = t.str.contains(",", regex=False).fillna(False)
    if has_comma.any():
        commas = t[has_comma]
        if commas.str.fullmatch(r"-?\d{1,3}(,\d{3})+(\.\d+)?").all():
            t = t.str.replace(",", "", regex=False)  # thousands separators
        elif commas.str.fullmatch(r"-?\d+,\d+").all():
            t = t.str.replace(",", ".", regex=False)  # decimal comma
        elif commas.str.fullmatch(r"-?\d{1,3}(\.\d{3})*,\d+").all():
            t = t.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    if (t.str.contains("$", regex=False) | t.str.contains(" ", regex=False)).any():
        t = t.str.replace(r"^\$|\s+", "", regex=True)  # slow path only when needed
    out = pd.to_numeric(t, errors="coerce").astype(float)
    if out.isna().any() and t.str.contains("°|[NSEWnsew]$", regex=True).fillna(False).any():
        out = out.fillna(parse_degrees(t)).astype(float)
    return out


def parse_degrees(t: pd.Series) -> pd.Series:
    """Decimal degrees from text like "12.61° N", "77°35'24\"E" or "-1.76 W" (S and W negative)."""
    m = t.str.extract(r"^([-+]?\d+(?:\.\d+)?)°?(?:(\d+(?:\.\d+)?)['′])?(?:(\d+(?:\.\d+)?)[\"″])?"
                      r"([NSEWnsew])?$")
    deg = pd.to_numeric(m[0], errors="coerce")
    deg = deg.abs() + pd.to_numeric(m[1], errors="coerce").fillna(0) / 60 \
        + pd.to_numeric(m[2], errors="coerce").fillna(0) / 3600
    sign = np.where(m[0].str.startswith("-").fillna(False) | m[3].str.upper().isin(["S", "W"]),
                    -1.0, 1.0)
    return pd.Series(np.where(m[0].notna(), deg.to_numpy(dtype=float) * sign, np.nan), index=t.index)


def parse_time_of_day(s: pd.Series) -> pd.Series:
    """Time of day as a Timedelta: "19:18:00", "19:18", "7:05 PM" or hhmm integers like 1930."""
    t = as_text(s).mask(is_blank(s))
    num = pd.to_numeric(t, errors="coerce")
    if num.notna().sum() >= t.notna().sum() * 0.9 and num.notna().any():
        valid = (num >= 0) & (num < 2400) & (num % 100 < 60)
        num = num.where(valid)
        return pd.to_timedelta(num // 100, unit="h") + pd.to_timedelta(num % 100, unit="m")
    parsed = pd.to_datetime("2000-01-01 " + t, format="mixed", errors="coerce")
    return parsed - pd.Timestamp("2000-01-01")


def parse_bool(s: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """(booleans, rows whose value is not a recognisable yes/no). Unrecognised -> False."""
    if pd.api.types.is_bool_dtype(s.dtype):
        return s.fillna(False).astype(bool), np.zeros(len(s), bool)
    t = as_text(s).str.lower().fillna("")
    is_true, is_false = t.isin(TRUE_TOKENS), t.isin(FALSE_TOKENS) | is_blank(s)
    return is_true.astype(bool), (~is_true & ~is_false).to_numpy()


def parse_code(s: pd.Series) -> pd.Series:
    """Beat/district codes as text: "725.0" -> "725", "0725" -> "725"; names and mixed codes
    ("01B") kept as written (stripped)."""
    t = as_text(s).fillna("")
    if t.str.endswith(".0").any():  # regex replacements are slow: run them only when needed
        t = t.str.replace(r"^(\d+)\.0+$", r"\1", regex=True)
    if t.str.startswith("0").any():
        t = t.str.replace(r"^0+(?=\d+$)", "", regex=True)
    return t


def parse_sex(s: pd.Series) -> pd.Series:
    """M / F / T, or "" when unknown."""
    t = as_text(s).str.lower().fillna("")
    return t.map(SEX_CODES).fillna("").astype(object)


def parse_age(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(age in years, age group text). Groups like "18-24" give their midpoint, "<18" 15,
    "65+" 70; ages outside 0-120 or 0 itself (a common "unknown" code) become NaN."""
    t = as_text(s).fillna("")
    num = parse_number(t.where(t.str.fullmatch(r"-?\d+([.,]\d+)?").fillna(False), None))
    rng = t.str.extract(r"^(\d+)\s*-\s*(\d+)$").astype(float)
    lo = t.str.extract(r"^(?:<|under\s*|below\s*)(\d+)$", flags=2)[0].astype(float)
    hi = t.str.extract(r"^(\d+)\s*\+$|^(?:over|above)\s*(\d+)$", flags=2).astype(float).max(axis=1)
    age = num.fillna((rng[0] + rng[1]) / 2).fillna(lo - 3).fillna(hi + 5)
    age = age.where((age > 0) & (age <= 120))
    group = t.where(rng[0].notna() | lo.notna() | hi.notna(), "").astype(object)
    return age.astype(float), group
