"""Pure-Python parsing of UN reports into recommendations. No Django here."""

from .decoding import decode_report
from .document import parse_report
from .errors import ParseError
from .model import (
    BodySession,
    ParsedRecommendation,
    ParsedReport,
    ReportMetadata,
    ThemeAssignment,
)
from .sdg import extract_sdg_targets
from .themes import Taxonomy

__all__ = [
    "BodySession",
    "ParseError",
    "ParsedRecommendation",
    "ParsedReport",
    "ReportMetadata",
    "Taxonomy",
    "ThemeAssignment",
    "decode_report",
    "extract_sdg_targets",
    "parse_report",
]
