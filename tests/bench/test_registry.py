"""The bench's case registry: a name is registered once."""
import pytest

from ministn.bench import CASES, case


def test_a_case_name_can_only_be_registered_once():
    case("test-only case", "a row")(lambda s: (None, None))
    try:
        with pytest.raises(ValueError, match="registered twice"):
            case("test-only case", "again")(lambda s: (None, None))
    finally:
        del CASES["test-only case"]
