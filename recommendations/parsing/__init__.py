"""Pure-Python parsing of UN reports into recommendations. No Django here."""

from .decoding import Source, decode_report, is_pdf, read_source
from .document import parse_report, parse_source
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
    "Source",
    "Taxonomy",
    "ThemeAssignment",
    "decode_report",
    "extract_sdg_targets",
    "is_pdf",
    "parse_report",
    "parse_source",
    "read_source",
]
