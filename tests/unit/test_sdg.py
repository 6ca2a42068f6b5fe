import pytest

from recommendations.parsing import extract_sdg_targets


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("可持续发展目标的指标 3.3（到 2030 年消灭艾滋病的流行）", ("3.3",)),
        ("可持续发展目标的指标 3.8 和 3.b 查明", ("3.8", "3.b")),
        ("特别是目标 16 下的各项目标", ("16",)),
        ("监测指标 16.4.2 的进展", ("16.4.2",)),
        ("具体目标 5.2、5.3 和 16.2", ("5.2", "5.3", "16.2")),
        ("按照大会第 69/237 号决议和可持续发展目标参与", ()),
        ("2016-2017 两年期的资金预计将达到 970 万美元", ()),
        ("目标 18 不存在", ()),
        ("指标 3.3 和指标 3.3", ("3.3",)),
    ],
)
def test_extract_sdg_targets(text, expected):
    assert extract_sdg_targets(text) == expected
