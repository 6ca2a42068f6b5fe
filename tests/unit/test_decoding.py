import codecs

import pytest

from recommendations.parsing import ParseError, decode_report, parse_report
from tests.conftest import SEED_2019

TEXT = "一. 导言\r\n\r\n1. 测试文本，第二行。\r\n"


@pytest.mark.parametrize(
    "data",
    [
        TEXT.encode("utf-8"),
        codecs.BOM_UTF8 + TEXT.encode("utf-8"),
        TEXT.encode("utf-16"),  # with BOM
        codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"),
        TEXT.encode("utf-16-le"),  # no BOM
        TEXT.encode("gb18030"),
        TEXT.replace("\r\n", "\r").encode("utf-8"),
    ],
)
def test_encodings_and_line_ends(data):
    assert decode_report(data) == TEXT.replace("\r\n", "\n")


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "gb18030"])
def test_seed_in_other_encodings_parses_identically(encoding, parse_seed):
    original = SEED_2019.read_text(encoding="utf-8")
    data = original.replace("\n", "\r\n").encode(encoding)
    assert parse_report(decode_report(data)) == parse_seed(SEED_2019)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"  \n\n ", "empty"),
        (b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00", "binary"),
        ("第一行\n第二行 测试中文文本内容足够长\n".encode() * 3 + b"\xff\xfe\xfd bad", "UTF-8"),
        (bytes(range(256)) * 4, "binary"),
    ],
)
def test_bad_bytes_are_refused_with_a_reason(data, message):
    with pytest.raises(ParseError) as error:
        decode_report(data)
    assert message in str(error.value)


def test_invalid_utf8_names_the_line():
    data = "第一行文本，足够多的中文字符用于判断。\n".encode() * 5 + b"\xc3\x28 bad\n"
    with pytest.raises(ParseError) as error:
        decode_report(data)
    assert error.value.line == 6
