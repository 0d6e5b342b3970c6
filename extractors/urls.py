"""URL identity: canonical form and the stable id derived from it."""

from __future__ import annotations

import hashlib
from urllib.parse import SplitResult, parse_qsl, urlencode, urlsplit, urlunsplit

# Query parameters that track the reader rather than name the page.
_TRACKING_PREFIXES = ("utm_", "mc_", "pk_", "hsa_", "_hs", "vero_")
_TRACKING_NAMES = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gclsrc",
        "msclkid",
        "yclid",
        "igshid",
        "mkt_tok",
        "ocid",
        "cmpid",
        "ref",
        "ref_src",
        "ref_url",
        "src",
        "cmp",
        "smid",
        "sr_share",
        "_ga",
        "_gl",
        "spm",
        "share",
        "guccounter",
        "at_medium",
        "at_campaign",
        "ito",
    }
)
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in _TRACKING_NAMES or lowered.startswith(_TRACKING_PREFIXES)


def canonicalize_url(url: str) -> str:
    """Lower-case scheme and host, drop default ports, fragments and tracking parameters,
    sort the remaining query parameters. Two links to the same page give the same string."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    query = sorted(
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)
    )
    path = parts.path or "/"
    return urlunsplit((scheme, _netloc(parts, scheme), path, urlencode(query), ""))


def _netloc(parts: SplitResult, scheme: str) -> str:
    host = (parts.hostname or "").lower()
    if ":" in host:  # an IPv6 literal keeps its brackets, or the URL means something else
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:  # out of range or not a number: keep it as written, fetching says why
        return parts.netloc.rpartition("@")[2].lower()
    return host if port in (None, _DEFAULT_PORTS.get(scheme)) else f"{host}:{port}"


def url_id(canonical_url: str) -> str:
    """A stable 16-hex-digit id for a canonical URL (the same URL always gets the same id,
    so a re-run or a rebuilt database never renumbers anything)."""
    return hashlib.blake2b(canonical_url.encode(), digest_size=8).hexdigest()
