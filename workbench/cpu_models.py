"""Server CPU models: vendor and cores per CPU, from the text a basket or RVTools gives.

Pure. Basket specification text does not always state the cores ("2 x 9462"), so a small
table the project keeps fills them in; what is neither stated nor in the table stays
unknown (``None``), never guessed.
"""

from __future__ import annotations

import re

# Cores per CPU of the models the vendors' baskets use, by model number as printed
# (Xeon Scalable 3rd-5th generation and EPYC 9004). Extend it when a basket brings a new
# model; the reader warns about any model it cannot resolve.
CORES_PER_CPU: dict[str, int] = {
    # Intel Xeon Scalable, 3rd generation (Ice Lake)
    "4309Y": 8,
    "4310": 12,
    "4314": 16,
    "5315Y": 8,
    "5317": 12,
    "5318Y": 24,
    "6326": 16,
    "6330": 28,
    "6338": 32,
    "6342": 24,
    "6346": 16,
    "6348": 28,
    "6354": 18,
    "8358": 32,
    "8360Y": 36,
    "8380": 40,
    # Intel Xeon Scalable, 4th generation (Sapphire Rapids)
    "4410T": 10,
    "4410Y": 12,
    "4416+": 20,
    "5415+": 8,
    "5416S": 16,
    "5418N": 24,
    "5418Y": 24,
    "5420+": 28,
    "6426Y": 16,
    "6428N": 32,
    "6430": 32,
    "6434": 8,
    "6438M": 32,
    "6438N": 32,
    "6438Y+": 32,
    "6442Y": 24,
    "6444Y": 16,
    "6448Y": 32,
    "6454S": 32,
    "6458Q": 32,
    "8452Y": 36,
    "8460Y+": 40,
    "8462Y+": 32,
    "8468": 48,
    "8470": 52,
    "8470N": 52,
    "8470Q": 52,
    "8480+": 56,
    # AMD EPYC 9004 (Genoa, Genoa-X, Bergamo)
    "9124": 16,
    "9174F": 16,
    "9224": 24,
    "9254": 24,
    "9274F": 24,
    "9334": 32,
    "9354": 32,
    "9354P": 32,
    "9374F": 32,
    "9434": 64,
    "9454": 48,
    "9454P": 48,
    "9474F": 48,
    "9534": 64,
    "9554": 64,
    "9554P": 64,
    "9634": 84,
    "9654": 96,
    "9654P": 96,
    "9684X": 96,
    "9734": 112,
    "9754": 128,
}

_INTEL = re.compile(r"\b(intel|xeon)\b", re.IGNORECASE)
_AMD = re.compile(r"\b(amd|epyc|opteron)\b", re.IGNORECASE)


def cpu_vendor(text: str | None) -> str | None:
    """``"Intel"``, ``"AMD"`` or None, from a CPU description ("Intel(R) Xeon(R) Gold 6248R
    CPU @ 3.00GHz", "AMD EPYC 7543 32-Core Processor", "2 x 8462Y 32C/64T")."""
    if not text:
        return None
    intel, amd = bool(_INTEL.search(text)), bool(_AMD.search(text))
    if intel != amd:
        return "Intel" if intel else "AMD"
    if intel:  # both named: not one CPU's text
        return None
    model = cpu_model_number(text)
    if model is None:
        return None
    # Bare model numbers: EPYC 9004 are 9xx4 (with a suffix letter or none); Xeon 4th gen
    # are 4-digit numbers starting 3-8 (a 9xxx Xeon Max is not in server baskets).
    return "AMD" if re.fullmatch(r"9\d{2}4[A-Z]?", model) else "Intel"


_MODEL = re.compile(r"(?<![\d.])([3-9]\d{3}[A-Z]{0,2}\+?)(?![\d.]|\s*(?:GHz|G\b|MHz|W\b|MT|GT))")


def cpu_model_number(text: str | None) -> str | None:
    """The model number in a CPU description ("8462Y+", "9124", "4410T"), or None."""
    if not text:
        return None
    match = _MODEL.search(text)
    return match.group(1) if match else None


def cores_per_cpu(model: str | None) -> int | None:
    """Cores of one CPU of this model number, from :data:`CORES_PER_CPU`; ``"8462Y"`` also
    finds ``"8462Y+"`` (baskets drop the plus sign)."""
    if not model:
        return None
    return CORES_PER_CPU.get(model) or CORES_PER_CPU.get(model + "+")
